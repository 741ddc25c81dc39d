# The editor: the browser bundle is built with Node, then served with the app by daphne.
FROM node:20-bookworm-slim AS frontend
WORKDIR /build
COPY editor_frontend/package.json editor_frontend/package-lock.json editor_frontend/
RUN cd editor_frontend && npm ci --no-audit --no-fund
COPY editor_frontend/ editor_frontend/
RUN mkdir -p documents/static && cd editor_frontend && npm run build

FROM python:3.12-slim-bookworm
# The image is production mode unless told otherwise: it then needs DJANGO_SECRET_KEY.
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 DJANGO_DEBUG=0
WORKDIR /app
# Pango and fonts for WeasyPrint's PDF export.
RUN apt-get update && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
COPY pyproject.toml manage.py ./
COPY project_name/ project_name/
COPY documents/ documents/
RUN pip install --no-cache-dir --no-deps .
COPY --from=frontend /build/documents/static/editor/ documents/static/editor/
# Hashed, compressed copies that WhiteNoise serves with far-future cache headers.
RUN DJANGO_SECRET_KEY=collectstatic python manage.py collectstatic --noinput
RUN useradd --system --home /app app \
    && mkdir -p /var/lib/collab/attachments && chown app /var/lib/collab/attachments
USER app
EXPOSE 8000
# No --proxy-headers: daphne would take the first X-Forwarded-For entry, which the client
# writes. Django reads the header itself, from trusted proxies only (TRUSTED_PROXIES).
CMD ["daphne", "-b", "0.0.0.0", "-p", "8000", "project_name.asgi:application"]
