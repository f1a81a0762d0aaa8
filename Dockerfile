# Multi-stage build: compile in the Rust image, run from a slim Debian.
FROM rust:1.95-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock ./
COPY migration migration
COPY src src
COPY templates templates
COPY static static
COPY bench bench
RUN cargo build --release --locked -p imet && strip target/release/imet

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /var/lib/imet --create-home imet
COPY --from=build /src/target/release/imet /usr/local/bin/imet
USER imet
WORKDIR /var/lib/imet
ENV IMET_BIND=0.0.0.0:8080 IMET_DATA_DIR=/var/lib/imet
EXPOSE 8080
HEALTHCHECK --interval=10s --timeout=3s --retries=5 CMD curl -fsS http://127.0.0.1:8080/ready || exit 1
ENTRYPOINT ["imet"]
CMD ["serve"]
