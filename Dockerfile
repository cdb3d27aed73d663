# Slim image serving the API with uvicorn. PostgreSQL via DATABASE_URL, e.g.
#   docker run -e DATABASE_URL=postgresql+psycopg://user:pw@db/motcua -e ADMIN_API_KEY=... -p 8000:8000 motcua
FROM python:3.11-slim AS build
WORKDIR /src
COPY pyproject.toml README.md ./
COPY app ./app
COPY migrations ./migrations
RUN pip install --no-cache-dir --prefix=/install ".[tracing]"

FROM python:3.11-slim
RUN useradd --system --uid 10001 motcua
COPY --from=build /install /usr/local
# The image holds no source tree: the app finds its migrations inside the installed package.
WORKDIR /var/lib/motcua
RUN chown motcua /var/lib/motcua
USER motcua
ENV DATABASE_URL=sqlite:////var/lib/motcua/motcua.db
EXPOSE 8000
HEALTHCHECK CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health/ready')"
# Timeouts as app/core/serving.py sets them for `python -m app serve`; the app reads
# X-Forwarded-For itself, from TRUSTED_PROXIES only.
CMD ["uvicorn", "app.main:app", "--host", "0.0.0.0", "--port", "8000", "--no-proxy-headers", \
     "--timeout-keep-alive", "5", \
     "--timeout-graceful-shutdown", "30"]
