# Waymark's image: gunicorn serves the web app; the same image runs the Celery worker
# and beat (see docker-compose.yml). Configuration comes from the environment only.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=roadmap.settings.base

WORKDIR /app

RUN groupadd --system waymark \
    && useradd --system --gid waymark --home-dir /app --no-create-home --shell /usr/sbin/nologin waymark

COPY requirements.txt .
RUN pip install -r requirements.txt

# The code and the collected static files stay owned by root: the app only reads them.
COPY . .

# DEBUG=False selects the compressed, hashed static storage. Settings refuse to load with
# DEBUG=False and a short key, so this step alone gets a long throwaway key; the running
# container must be given its own SECRET_KEY.
RUN DEBUG=False \
    SECRET_KEY=build-time-only-collectstatic-key-never-used-by-a-running-waymark \
    python manage.py collectstatic --noinput --verbosity 0

USER waymark

EXPOSE 8000

CMD ["gunicorn", "roadmap.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", \
     "--access-logfile", "-", "--worker-tmp-dir", "/dev/shm"]
