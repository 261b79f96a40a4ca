# epmd-scan in a container: the packed tarball, installed the one way the
# pack test installs it (scripts/install-tarball.sh: npm install --global
# --ignore-scripts), run as a non-root user.
#   docker build -t epmd-scan .
#   docker run --rm epmd-scan 192.0.2.0/24
# The test suite runs the same pack and install steps, but not this build
# (it has no Docker engine).

FROM node:20-slim AS pack
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY . .
# prepack makes a clean build into dist/; the tarball carries it.
RUN npm pack --pack-destination /tmp && mv /tmp/epmd-scan-*.tgz /tmp/epmd-scan.tgz

FROM node:20-slim
COPY --from=pack /tmp/epmd-scan.tgz /src/scripts/install-tarball.sh /tmp/
RUN sh /tmp/install-tarball.sh /tmp/epmd-scan.tgz \
  && rm /tmp/epmd-scan.tgz /tmp/install-tarball.sh \
  && npm cache clean --force
# The image's own unprivileged user (uid 1000).
USER node
WORKDIR /home/node
ENTRYPOINT ["epmd-scan"]
CMD ["--help"]
