# peel-api: the service on Python's slim image, as a non-root user.
# Build: docker build -t peel-api .   Run: docker run -p 8000:8000 peel-api
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HOST=0.0.0.0 \
    PORT=8000

WORKDIR /app

# Dependencies first, from the pinned set (its own layer: rebuilt only when the lock changes).
COPY requirements.lock ./
RUN pip install --no-cache-dir -r requirements.lock

# The code and the data it ships with; installed in place so seed/, reference/ and
# migrations/ are found beside app/.
COPY pyproject.toml README.md alembic.ini ./
COPY app ./app
COPY migrations ./migrations
COPY reference ./reference
COPY seed ./seed
RUN pip install --no-cache-dir --no-deps --editable . \
    && useradd --create-home --uid 10001 peel \
    && mkdir -p /app/data \
    && chown peel:peel /app/data

USER 10001
VOLUME ["/app/data"]
EXPOSE 8000

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]

# Migrates the database, seeds it when it holds no inspection, then serves
# (SQLite under /app/data unless DATABASE_URL names another database).
CMD ["peel", "serve"]
