# The portal's image: Debian bookworm with Debian's Python 3.11 (and pango, cairo and the
# DejaVu fonts for the results report and chart PNGs), the dependencies hash-checked
# from requirements.lock in /opt/venv, the code once in /app (read-only, not installed as a
# package: settings find templates, static files and translations next to it), run as the
# non-root user `portal`. Proven by `make image-check` (scripts/image-check.sh).
# BASE_IMAGE: any Debian bookworm image; image-check passes a local one made with mmdebstrap
# when no registry answers.
ARG BASE_IMAGE=docker.io/library/debian:bookworm-slim

FROM ${BASE_IMAGE} AS base
ENV LANG=C.UTF-8 PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH=/opt/venv/bin:$PATH
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        python3 ca-certificates tzdata \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 libcairo2 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# Dependencies only: pip and setuptools<81 from requirements-build.lock, then every package of
# requirements.lock, all hash-checked, built without build isolation (XStatic-Bootstrap is an
# sdist), so nothing unchecked is fetched. The optional build secret pip_ca is a CA bundle for
# machines behind a TLS-inspecting proxy (`--secret id=pip_ca,src=…`); it never enters the image.
FROM base AS builder
RUN apt-get update \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends python3-venv \
    && rm -rf /var/lib/apt/lists/*
COPY requirements-build.lock requirements.lock /tmp/
RUN --mount=type=secret,id=pip_ca \
    if [ -s /run/secrets/pip_ca ]; then export PIP_CERT=/run/secrets/pip_ca; fi \
    && python3 -m venv /opt/venv \
    && pip install --no-cache-dir --require-hashes -r /tmp/requirements-build.lock \
    && pip install --no-cache-dir --require-hashes --no-build-isolation -r /tmp/requirements.lock \
    && pip check

FROM base AS runtime
ENV DJANGO_SETTINGS_MODULE=oschatzerland.settings \
    GUNICORN_BIND=0.0.0.0:8000 DJANGO_MEDIA_ROOT=/data/media \
    DJANGO_PRIVATE_ROOT=/data/private
RUN groupadd --system portal \
    && useradd --system --gid portal --home-dir /app --no-create-home --shell /usr/sbin/nologin portal
COPY --from=builder /opt/venv /opt/venv
WORKDIR /app
# What runs, nothing else (.dockerignore keeps tests, bench and the rest out of the context).
COPY manage.py gunicorn.conf.py ./
COPY scripts/healthcheck.py scripts/
COPY oschatzerland oschatzerland
COPY portal portal
COPY survey survey
COPY events events
COPY templates templates
COPY static static
COPY locale locale
# Translations, static files and bytecode are built into the image; the secret is only for
# this step. Only uploads (public media, private scans) are writable for `portal`.
RUN pybabel compile -D django -d locale -l de \
    && pybabel compile -D djangojs -d locale -l de \
    && DJANGO_SECRET_KEY=build-only python manage.py collectstatic --noinput --verbosity 0 \
    && python -m compileall -q oschatzerland portal survey events \
    && mkdir -p /data/media /data/private && chown portal:portal /data/media /data/private \
    && chmod 700 /data/private
USER portal
EXPOSE 8000
# Asks /healthz the way the TLS proxy does (allowed host name, X-Forwarded-Proto: https).
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s CMD ["python", "scripts/healthcheck.py"]
CMD ["gunicorn", "-c", "gunicorn.conf.py", "oschatzerland.wsgi"]
