# photocheck in a container: the release binary with its embedded models (nothing is
# downloaded at run time), on a small base, running as a non-root user.
#
#   docker build -t photocheck .
#   docker run --rm -v "$PWD/photos:/photos:ro" photocheck check /photos
#   docker run --rm -p 8080:8080 photocheck serve --listen 0.0.0.0:8080
FROM rust:1-slim-bookworm AS build
WORKDIR /src
COPY . .
RUN cargo build --release --locked \
    && strip target/release/photocheck \
    && target/release/photocheck --version

# distroless "cc": glibc and libgcc only (what the binary links), no shell, user 65532.
FROM gcr.io/distroless/cc-debian12:nonroot
COPY --from=build /src/target/release/photocheck /usr/local/bin/photocheck
USER 65532:65532
WORKDIR /work
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/photocheck"]
CMD ["--help"]
