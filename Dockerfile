# specrelay as a GitHub Docker container action (and as a local CLI image).
#
# Tags are pinned; pin digests too (FROM image:tag@sha256:...) from a machine
# that can reach Docker Hub: `docker buildx imagetools inspect <image:tag>`.
#

# ---- build -------------------------------------------------------------------
# Same Debian release as the runtime stage, so the binary's glibc matches.
# The image ships gcc, which `ring` (rustls' crypto provider) needs; no OpenSSL.
FROM rust:1.95-slim-bookworm AS build
WORKDIR /src

# Dependencies first, against empty crate roots: this layer is rebuilt only
# when the manifest or the lock file change, not on every source edit. (The
# [[test]] and [[bench]] targets name their paths, so cargo does not look for
# them here.)
COPY Cargo.toml Cargo.lock ./
RUN mkdir src \
    && echo 'fn main() {}' > src/main.rs \
    && touch src/lib.rs \
    && cargo build --release --locked \
    && rm -rf src

# templates/ is embedded with include_str!, so it is a build input, not a runtime file.
COPY src ./src
COPY templates ./templates
# COPY keeps the files' old mtimes; touch them so cargo rebuilds over the dummy crate.
RUN touch src/main.rs src/lib.rs \
    && cargo build --release --locked \
    && install -D -m 0755 target/release/specrelay /out/specrelay

# ---- runtime -----------------------------------------------------------------
FROM debian:bookworm-slim AS runtime

# Runtime dependencies: the CA roots that rustls' platform verifier reads, and
# git, which `diff` runs to read `git:REV:PATH` sides from the checkout's
# history (without recommends: no ssh, no perl helpers). Pinned to bookworm's
# current versions; when Debian replaces one the build fails and the pin
# needs a bump (`apt-cache policy ca-certificates git` in debian:bookworm-slim).
#
# The user: GitHub's docs ask Docker actions to run as root because the
# mounted workspace belongs to the runner's user. We run as that user instead,
# UID 1001 on GitHub-hosted runners: not root, the workspace stays writable,
# and what we store is owned by the same user as the rest of the checkout, so
# later steps (`git add`, `git commit`) work on it. A self-hosted runner with
# another UID needs `options: --user <uid>` or a workspace writable by 1001.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates=20230311+deb12u1 git=1:2.39.5-0+deb12u3 \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --no-log-init --uid 1001 --user-group --no-create-home --home-dir /nonexistent \
        --shell /usr/sbin/nologin specrelay

COPY --from=build /out/specrelay /usr/local/bin/specrelay

LABEL org.opencontainers.image.title="specrelay" \
      org.opencontainers.image.description="Carries an OpenAPI contract from its producer to everything that depends on it." \
      org.opencontainers.image.licenses="Apache-2.0"

USER 1001:1001

# No WORKDIR: the runner mounts the repository at /github/workspace and passes
# `--workdir /github/workspace`, overriding any WORKDIR set here.
# Exec form with an absolute path: action.yml `args` arrive as argv, unexpanded.
ENTRYPOINT ["/usr/local/bin/specrelay"]
