#!/usr/bin/env bash
# A Slurm job array: one task per shard, each checking its share of the photos and writing
# its own NDJSON report (photocheck reads SLURM_ARRAY_TASK_ID and SLURM_ARRAY_TASK_COUNT).
# A task that is requeued resumes its report. Afterwards:
#   photocheck merge reports/shard-*.ndjson --inputs paths.txt --format junit -o report.xml
#
#   find /archive -name '*.jpg' > paths.txt
#   sbatch deploy/slurm/photocheck-array.sh paths.txt
#
#SBATCH --job-name=photocheck
#SBATCH --array=0-7
#SBATCH --cpus-per-task=2
#SBATCH --mem=1G
#SBATCH --time=24:00:00
#SBATCH --requeue
#SBATCH --output=reports/slurm-%A_%a.log
set -euo pipefail
list="${1:?usage: sbatch photocheck-array.sh PATHS.txt}"
mkdir -p reports
exec photocheck check --shard auto --jobs "${SLURM_CPUS_PER_TASK:-2}" --quiet \
  --spec cn-driving-licence --format ndjson \
  --resume "reports/shard-${SLURM_ARRAY_TASK_ID}.ndjson" --files-from "$list"
