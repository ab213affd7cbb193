# geo-api service image. The store is built on first start (into a volume) and reused:
#   docker build -t geo-api .
#   docker run -p 8000:8000 -v geo-api-store:/srv/geo-api \
#       -v /path/to/shared/data:/data:ro -e GEO_API_MIRROR=/data geo-api
# Without GEO_API_MIRROR the first start reads the live public sources
# (set GEO_API_CENSUS_KEY for the Census API tables).
# Leaflet for the maps ships inside the package (geo_api/static/leaflet): no npm stage.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    GEO_API_STORE=/srv/geo-api/geo-api.gpkg \
    GEO_API_CACHE_DIR=/srv/geo-api/cache \
    GEO_API_WORKERS=2

RUN useradd --create-home --uid 10001 geoapi \
    && mkdir -p /srv/geo-api && chown geoapi:geoapi /srv/geo-api

WORKDIR /app
COPY pyproject.toml README.md ./
COPY geo_api ./geo_api
COPY boundaries ./boundaries
COPY loaders ./loaders
COPY maps ./maps
RUN pip install --no-cache-dir .

USER geoapi
VOLUME ["/srv/geo-api"]
EXPOSE 8000
HEALTHCHECK --start-period=180s CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz')"
# one worker per core (set GEO_API_WORKERS); GEO_API_BASE_URL when behind a proxy
CMD ["sh", "-c", "test -f \"$GEO_API_STORE\" || geo-api build; exec geo-api serve --host 0.0.0.0 --port 8000 --workers \"$GEO_API_WORKERS\""]
