# The portal (src/Web) with the indexer in-process. Build: docker build -t gittorrent/portal .
# Run with PostgreSQL: docker-compose up (see docker-compose.yml); alone it uses SQLite in the /data volume.

FROM mcr.microsoft.com/dotnet/sdk:10.0 AS build
WORKDIR /src
# Restore first, from the project files only, so code changes do not invalidate the package layer.
COPY global.json Directory.Build.props Directory.Packages.props .editorconfig ./
COPY src/Engine/GitTorrent.Engine.csproj src/Engine/
COPY src/Data/GitTorrent.Data.csproj src/Data/
COPY src/Indexer/GitTorrent.Indexer.csproj src/Indexer/
COPY src/Web/GitTorrent.Web.csproj src/Web/
RUN dotnet restore src/Web/GitTorrent.Web.csproj -r linux-x64
COPY src/Engine/ src/Engine/
COPY src/Data/ src/Data/
COPY src/Indexer/ src/Indexer/
COPY src/Web/ src/Web/
RUN dotnet publish src/Web/GitTorrent.Web.csproj -c Release -r linux-x64 --self-contained false -o /app --no-restore --nologo

FROM mcr.microsoft.com/dotnet/aspnet:10.0 AS runtime
# git serves and fetches repositories; curl is the health check's client.
RUN apt-get update \
    && apt-get install -y --no-install-recommends git curl ca-certificates \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app ./
# APP_UID is the image's non-root "app" user.
RUN mkdir -p /data && chown "$APP_UID" /data
ENV GitTorrent__DataDir=/data \
    Urls=http://+:8080 \
    GitTorrent__DhtPort=6881 \
    GitTorrent__BtPort=30000
VOLUME ["/data"]
# HTTP, DHT (UDP), BitTorrent peers (TCP)
EXPOSE 8080/tcp 6881/udp 30000/tcp
USER $APP_UID
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
ENTRYPOINT ["dotnet", "GitTorrent.Web.dll"]
