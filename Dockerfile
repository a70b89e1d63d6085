# The Waypost image: one image, every process (`waypost worker`, `waypost api`,
# `waypost codec-server`, `waypost db upgrade`); docker-compose.yml says which one a service runs.
# The base is pinned by version (make compose-check refuses an unpinned FROM).

FROM python:3.11.16-slim-bookworm AS build
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /src
COPY . .
# A regular (not editable) install: pip compiles the bytecode, which Temporal's sandbox needs to
# import the workflow module quickly for every workflow run (see the README's benchmark notes).
RUN python -m venv /opt/waypost \
    && /opt/waypost/bin/pip install --upgrade pip setuptools \
    && /opt/waypost/bin/pip install .

FROM python:3.11.16-slim-bookworm
# The base's own pip and setuptools (unused by Waypost, whose venv has its own) are kept current
# too, so the image carries no setuptools with published fixes.
RUN python -m pip install --no-cache-dir --disable-pip-version-check --upgrade pip setuptools \
    && groupadd --system --gid 10001 waypost \
    && useradd --system --uid 10001 --gid waypost --home-dir /var/lib/waypost \
       --shell /usr/sbin/nologin waypost \
    && mkdir -p /var/lib/waypost \
    && chown waypost:waypost /var/lib/waypost
COPY --from=build /opt/waypost /opt/waypost
ENV PATH=/opt/waypost/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    WAYPOST_HOME=/var/lib/waypost
USER waypost
WORKDIR /var/lib/waypost
ENTRYPOINT ["waypost"]
CMD ["--help"]
