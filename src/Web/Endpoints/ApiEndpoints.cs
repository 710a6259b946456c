using System.Text.Json;
using System.Text.Json.Nodes;
using GitTorrent.Engine;
using GitTorrent.Indexer.Names;
using GitTorrent.Web.Discovery;
using GitTorrent.Web.Services;
using GitTorrent.Web.Node;

namespace GitTorrent.Web.Endpoints;

/// <summary>The JSON API of INTERFACES.md: users, names, search and swarm.</summary>
public static class ApiEndpoints
{
    public static IEndpointRouteBuilder MapPortalApi(this IEndpointRouteBuilder endpoints)
    {
        var api = endpoints.MapGroup("/api").WithTags("portal");
        api.MapGet("/users", ListUsersAsync)
            .WithSummary("The users this portal knows, oldest change first: {users: [{id, seq, updatedAt}], next}; pass next as after for the following page (400 for a malformed cursor).");
        api.MapPost("/users", LookUpUserAsync)
            .WithSummary("Asks the portal to look a user up in the DHT: {\"id\": \"<40-hex>\"} (or a form field id, also a gittorrent://<id>/... URL); 202, 400 when malformed, 429 over the per-address limit.");
        api.MapGet("/users/{id}", GetUserAsync)
            .WithSummary("A user by 40-hex id: public key, seq, the profile as published and the names it owns; 404 if unknown.");
        api.MapGet("/names/{name}", GetNameAsync)
            .WithSummary("A registered name: its owner (user id or null), status (pending, settling, settled) and every entry seen on the chain; 404 if never seen.");
        api.MapGet("/search", SearchAsync)
            .WithSummary("Users, repositories and registered names matching q (a username, display name, user id prefix or repository name).");
        api.MapGet("/swarm", (ISwarmStatus swarm) => SwarmJson(swarm.GetSnapshot()))
            .WithSummary("Swarm totals of the portal's node: bytes up and down, peers, seeded packs, bytes the origin was spared.");
        api.MapGet("/repos/{nameOrId}/{**repo}", RepositoryApi.GetAsync)
            .WithSummary("A repository: owner, name, default branch, refs, provenance, forks, issue counts and bytes served; 404 if unknown.");
        return endpoints;
    }

    public static object SwarmJson(SwarmSnapshot s) => new
    {
        uploaded = s.Uploaded,
        downloaded = s.Downloaded,
        peers = s.Peers,
        packs = s.Packs.Select(p => new { infoHash = p.InfoHash, commit = p.Commit, size = p.Size, uploaded = p.Uploaded }),
        originBytesSaved = s.OriginBytesSaved,
    };

    private static async Task<IResult> GetUserAsync(string id, UserDirectory directory, CancellationToken cancellationToken)
    {
        if (!Hash20.IsLowerHex40(id) || await directory.GetUserAsync(id, cancellationToken) is not { } user)
        {
            return Results.NotFound(new { error = "unknown user" });
        }

        var names = await directory.NamesOwnedByAsync(id, cancellationToken);
        return Results.Json(new
        {
            id = user.UserId,
            publicKey = Convert.ToHexStringLower(user.PublicKey),
            seq = user.Seq,
            lastSeen = user.LastSeen,
            profile = ProfileJson(user.RawProfile),
            names = names.Select(n => n.Name),
        });
    }

    private static async Task<IResult> ListUsersAsync(string? after, int? limit, UserFeed feed, CancellationToken cancellationToken)
    {
        if (await feed.PageAsync(after, limit, cancellationToken) is not { } page)
        {
            return Results.BadRequest(new { error = "after is not a cursor this portal gave out" });
        }

        return Results.Json(new
        {
            users = page.Users.Select(u => new { id = u.Id, seq = u.Seq, updatedAt = u.UpdatedAt }),
            next = page.Next,
        });
    }

    /// <summary>The largest request body of a lookup (a JSON object or a form with one id or URL).</summary>
    private const int MaxLookupBody = 8192;

    /// <summary>
    /// <c>POST /api/users</c>: JSON <c>{"id"}</c> from programs, or the search page's form (antiforgery-checked; answered
    /// with a redirect back to the page, which shows the outcome).
    /// </summary>
    private static async Task<IResult> LookUpUserAsync(HttpContext context, UserLookupRequests lookups, Microsoft.AspNetCore.Antiforgery.IAntiforgery antiforgery,
        CancellationToken cancellationToken)
    {
        if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
        {
            size.MaxRequestBodySize = MaxLookupBody;
        }
        if (context.Request.ContentLength > MaxLookupBody)
        {
            return Results.Json(new { error = $"the request body is larger than {MaxLookupBody} bytes" }, statusCode: StatusCodes.Status413PayloadTooLarge);
        }

        var form = context.Request.HasFormContentType;
        string? input;
        try
        {
            if (form)
            {
                if (!await antiforgery.IsRequestValidAsync(context))
                {
                    return Results.BadRequest(new { error = "the form is stale: reload the search page and try again" });
                }
                input = (await context.Request.ReadFormAsync(cancellationToken))["id"].ToString();
            }
            else
            {
                using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: cancellationToken);
                input = document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("id", out var id)
                    && id.ValueKind == JsonValueKind.String ? id.GetString() : null;
            }
        }
        catch (JsonException)
        {
            return Results.BadRequest(new { error = "expected a JSON object {\"id\": \"<40-hex user id>\"}" });
        }
        catch (BadHttpRequestException e)
        {
            return Results.Json(new { error = e.Message }, statusCode: e.StatusCode);
        }

        if (UserLookupRequests.Parse(input, out var error) is not { } userId)
        {
            // The page parses the input again and shows the message (no text of ours travels in the URL).
            var shown = input is { Length: > UserLookupRequests.MaxInputLength } ? input[..UserLookupRequests.MaxInputLength] : input ?? "";
            return form ? Results.Redirect("/search?lookupInput=" + Uri.EscapeDataString(shown), preserveMethod: false)
                : Results.BadRequest(new { error });
        }

        if (!lookups.Submit(userId))
        {
            context.Response.Headers.RetryAfter = "60";
            return Results.Json(new { error = "too many lookups are waiting: try again later" }, statusCode: StatusCodes.Status503ServiceUnavailable);
        }

        return form ? Results.Redirect("/search?lookup=" + userId, preserveMethod: false)
            : Results.Accepted($"/api/users/{userId}", new { id = userId.ToString(), status = "queued" });
    }

    /// <summary>
    /// The indexer's own answer (<see cref="NameLookup"/>: the ownership rules at the indexed tip, entries pending until
    /// they have the configured confirmations), in its own JSON shape (<see cref="NameApiResponse"/>).
    /// </summary>
    private static async Task<IResult> GetNameAsync(string name, NameLookup lookup, CancellationToken cancellationToken)
    {
        if (name.Length > 64 || await lookup.ResolveAsync(name, cancellationToken) is not { } resolution)
        {
            return Results.NotFound(new { error = "name never seen" });
        }

        return Results.Json(NameApiResponse.From(resolution));
    }

    private static async Task<IResult> SearchAsync(string? q, SearchService search, CancellationToken cancellationToken)
    {
        var results = await search.SearchAsync(q, cancellationToken);
        return Results.Json(new
        {
            query = q ?? "",
            users = results.Users.Select(u => new { id = u.UserId, displayName = u.DisplayName, lastSeen = u.LastSeen, repositories = u.RepositoryCount }),
            repositories = results.Repositories.Select(r => new { owner = r.UserId, ownerDisplayName = r.OwnerDisplayName, name = r.Name, lastUpdated = r.LastUpdated }),
            names = results.Names,
        });
    }

    /// <summary>The profile as published: the JSON inside the bencoded <c>v</c> (or the raw JSON), null if unreadable.</summary>
    public static JsonNode? ProfileJson(byte[] raw)
    {
        var span = raw.AsSpan();
        var colon = span.IndexOf((byte)':');
        if (colon > 0 && colon < 10 && span[..colon].IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0)
        {
            span = span[(colon + 1)..];
        }

        try
        {
            return JsonNode.Parse(span);
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
