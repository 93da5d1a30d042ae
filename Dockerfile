# specrelay's image: the statically linked binary and CA roots, nothing else
# (no shell, no package manager, no git: `git:REV:PATH` is read from the
# checkout's object store by the binary itself).
#
# Two ways to the same image:
#
#   docker build .                       # from source (the default, last stage)
#   docker build --target prebuilt .     # from binaries built beforehand, as
#                                        # .github/workflows/release.yml does:
#                                        # dist/specrelay-linux-{amd64,arm64}
#
# action.yml runs the released image (docker://ghcr.io/specrelay/specrelay:VERSION),
# so no job compiles specrelay. Base images are pinned by tag; nothing pins a
# Debian package version, so the build does not break when the mirror moves on.

# ---- CA roots ----------------------------------------------------------------
# Any platform's bundle is the same file: take it from the build machine's.
FROM --platform=$BUILDPLATFORM debian:bookworm-slim AS ca
# The bundle is data, not code: the newest one is the one wanted, so the
# version is deliberately not pinned (a pin would expire with the mirror).
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/*

# ---- build from source -------------------------------------------------------
# gcc builds `ring` (rustls' crypto provider); the binary links glibc
# statically (`crt-static`), so the image needs no libc.
FROM rust:1.95-slim-bookworm AS build
WORKDIR /src
ENV RUSTFLAGS="-C target-feature=+crt-static"

# Dependencies first, against empty crate roots: this layer is rebuilt only
# when the manifest or the lock file change. (The [[test]] and [[bench]]
# targets name their paths, so cargo does not look for them here.)
COPY Cargo.toml Cargo.lock ./
RUN mkdir src \
    && echo 'fn main() {}' > src/main.rs \
    && touch src/lib.rs \
    && cargo build --release --locked --target "$(uname -m)-unknown-linux-gnu" \
    && rm -rf src

# templates/ is embedded with include_str!, so it is a build input, not a runtime file.
COPY src ./src
COPY templates ./templates
# COPY keeps the files' old mtimes; touch them so cargo rebuilds over the dummy crate.
RUN touch src/main.rs src/lib.rs \
    && cargo build --release --locked --target "$(uname -m)-unknown-linux-gnu" \
    && install -D -m 0755 "target/$(uname -m)-unknown-linux-gnu/release/specrelay" /out/specrelay

# ---- the image, from binaries built by the release workflow ------------------
FROM scratch AS prebuilt
ARG TARGETARCH
COPY --from=ca /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY dist/specrelay-linux-${TARGETARCH} /specrelay
ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
LABEL org.opencontainers.image.title="specrelay" \
      org.opencontainers.image.description="Carries an OpenAPI contract from its producer to everything that depends on it." \
      org.opencontainers.image.licenses="Apache-2.0"
# The user: GitHub's docs ask Docker actions to run as root because the
# mounted workspace belongs to the runner's user. We run as that user instead,
# UID 1001 on GitHub-hosted runners: not root, the workspace stays writable,
# and what is stored is owned like the rest of the checkout. (A number: the
# image has no /etc/passwd.) A self-hosted runner with another UID needs
# `options: --user <uid>` or a workspace writable by 1001.
USER 1001:1001
# No WORKDIR: the runner passes `--workdir /github/workspace`.
ENTRYPOINT ["/specrelay"]

# ---- the image, from source (default) ----------------------------------------
FROM scratch AS runtime
COPY --from=ca /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/specrelay /specrelay
ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt
LABEL org.opencontainers.image.title="specrelay" \
      org.opencontainers.image.description="Carries an OpenAPI contract from its producer to everything that depends on it." \
      org.opencontainers.image.licenses="Apache-2.0"
USER 1001:1001
ENTRYPOINT ["/specrelay"]
