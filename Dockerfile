# Multi-stage build: wheels in a builder, a slim non-root runtime with collected static files.
FROM python:3.11-slim-bookworm AS builder
WORKDIR /build
RUN pip install --no-cache-dir "pip>=25.3"
COPY pyproject.toml build-constraints.txt ./
COPY oschatzerland ./oschatzerland
COPY portal ./portal
COPY survey ./survey
COPY events ./events
RUN pip wheel --no-cache-dir --build-constraint build-constraints.txt --wheel-dir /wheels .

FROM python:3.11-slim-bookworm AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 \
    DJANGO_SETTINGS_MODULE=oschatzerland.settings \
    GUNICORN_BIND=0.0.0.0:8000 DJANGO_MEDIA_ROOT=/data/media
RUN groupadd --system portal && useradd --system --gid portal --home /app portal
WORKDIR /app
COPY --from=builder /wheels /wheels
RUN pip install --no-cache-dir /wheels/*.whl && rm -rf /wheels
COPY --chown=portal:portal . /app
# Translations and static files are built into the image; the secret is only for this step.
RUN pybabel compile -D django -d locale -l de \
    && DJANGO_SECRET_KEY=build-only python manage.py collectstatic --noinput --verbosity 0 \
    && mkdir -p /data/media && chown -R portal:portal /data /app/var
USER portal
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4).status == 200 else 1)"
CMD ["gunicorn", "-c", "gunicorn.conf.py", "oschatzerland.wsgi"]
