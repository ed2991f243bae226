# Small for now; the operations issue completes it (non-root user, health check, lock).
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ./
COPY app ./app
COPY reference ./reference
COPY seed ./seed
RUN pip install --no-cache-dir .
EXPOSE 8000
CMD ["peel", "serve", "--host", "0.0.0.0"]
