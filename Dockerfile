FROM python:3.11-slim
RUN useradd --create-home --uid 10001 ceasefire
WORKDIR /app
COPY pyproject.toml README.md ./
COPY domain ./domain
COPY adapters ./adapters
COPY projections ./projections
COPY api ./api
COPY fixtures ./fixtures
RUN pip install --no-cache-dir . && mkdir -p /data && chown ceasefire /data
USER ceasefire
# The working directory is the data directory: the embedded store, and a generated signing key.
WORKDIR /data
ENV CEASEFIRE_DATABASE_URL=sqlite:////data/ceasefire.sqlite3
EXPOSE 8000
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health')"
CMD ["ceasefire", "serve", "--host", "0.0.0.0", "--port", "8000"]
