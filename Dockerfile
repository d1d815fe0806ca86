# A small image for a content repository's CI: the static Lotse binary on Alpine, with rsync and
# an SSH client for the upload step (see examples/ci/). Build it after scripts/release:
#   scripts/release && docker build -t lotse .
#   docker buildx build --platform linux/amd64,linux/arm64 -t lotse .   (both architectures)
# The binary carries its theme and search runtime: nothing else is needed to build a portal.
FROM alpine:3.20
ARG TARGETARCH=amd64
COPY target/dist/bin/lotse-*-unknown-linux-musl /tmp/lotse/
RUN case "$TARGETARCH" in amd64) arch=x86_64 ;; arm64) arch=aarch64 ;; *) echo "no Lotse binary for $TARGETARCH" >&2; exit 1 ;; esac \
 && install -m 755 "/tmp/lotse/lotse-$arch-unknown-linux-musl" /usr/local/bin/lotse \
 && rm -rf /tmp/lotse \
 && apk add --no-cache rsync openssh-client \
 && lotse --version
WORKDIR /portal
ENTRYPOINT ["lotse"]
CMD ["--help"]
