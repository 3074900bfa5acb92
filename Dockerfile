# Production image: one image for web, worker and beat (see docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    ADV_ENV=production \
    ADV_VAR_DIR=/var/lib/adv \
    STATIC_ROOT=/app/staticfiles

RUN apt-get update \
 && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --create-home --home-dir /app adv \
 && mkdir -p /var/lib/adv && chown adv /var/lib/adv

WORKDIR /app
COPY requirements/ requirements/
RUN pip install -r requirements/base.txt -c requirements/constraints.txt
COPY --chown=adv . .
# Static files are collected at build time, into the image (not the /var/lib/adv volume, which
# would keep the first image's files across upgrades). Settings only parse these placeholders.
RUN DATABASE_URL=postgresql://build@localhost/build REDIS_URL=redis://localhost:6379/0 SECRET_KEY=build \
    ALLOWED_HOSTS=localhost FIELD_ENCRYPTION_KEYS=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= \
    python manage.py collectstatic --noinput

USER adv
EXPOSE 8000
CMD ["uvicorn", "adv.asgi:application", "--host", "0.0.0.0", "--port", "8000", "--workers", "2", "--no-proxy-headers"]
