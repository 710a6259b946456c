using System.Globalization;
using System.Threading.RateLimiting;
using GitTorrent.Web.Security;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using GitTorrent.Engine.Base;
using GitTorrent.Indexer.Discovery;

namespace GitTorrent.Web.Admin;

/// <summary>
/// ASP.NET Core's rate limiting middleware in front of the admin forms that check a password (posts to
/// <c>/admin/login</c> and <c>/admin/password</c>): <see cref="AdminSignInOptions.AttemptsPerAddress"/> per client
/// address; more get 429 with <c>Retry-After</c> before the form is read, the database asked or a password hashed.
/// The same limiter holds <c>POST /api/users</c> (a user lookup) to <see cref="DiscoveryOptions.UserLookupsPerAddress"/>
/// per <see cref="DiscoveryOptions.UserLookupWindow"/> per client address.
/// </summary>
public static class AdminRateLimiting
{
    public static IServiceCollection AddAdminRateLimiting(this IServiceCollection services)
    {
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<AdminSignInOptions>, IOptions<DiscoveryOptions>, PortalCounters>((o, admin, discovery, counters) =>
        {
            var settings = admin.Value;
            var lookups = discovery.Value;
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context => ChecksAPassword(context.Request)
                ? RateLimitPartition.GetTokenBucketLimiter(ClientAddress.KeyOf(context),
                    _ => AdminSignIn.TokenBucket(settings.AttemptsPerAddress, settings.AddressWindow))
                : AsksForAUser(context.Request)
                ? RateLimitPartition.GetTokenBucketLimiter("lookup " + ClientAddress.KeyOf(context),
                    _ => AdminSignIn.TokenBucket(lookups.UserLookupsPerAddress, lookups.UserLookupWindow))
                : RateLimitPartition.GetNoLimiter(string.Empty));
            o.OnRejected = async (context, cancellationToken) =>
            {
                var lookup = AsksForAUser(context.HttpContext.Request);
                counters.Add(lookup ? PortalCounters.UserLookupsRefusedPerAddress : PortalCounters.SignInRefusedPerAddress);
                var window = lookup ? lookups.UserLookupWindow : settings.AddressWindow;
                var after = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retry) ? retry : window;
                var seconds = Math.Max(1, (int)Math.Ceiling(after.TotalSeconds));
                var response = context.HttpContext.Response;
                response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                response.ContentType = "text/plain; charset=utf-8";
                await response.WriteAsync(lookup
                    ? $"Too many user lookups from your address: try again in {seconds} s.\n"
                    : $"Too many sign-in attempts from your address: try again in {seconds} s.\n", cancellationToken);
            };
        });
        return services;
    }

    /// <summary>A user lookup request: <c>POST /api/users</c>.</summary>
    public static bool AsksForAUser(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return HttpMethods.IsPost(request.Method) && string.Equals(request.Path.Value?.TrimEnd('/'), "/api/users", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>The posts that check a password.</summary>
    public static bool ChecksAPassword(HttpRequest request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var path = request.Path.Value?.TrimEnd('/');
        return HttpMethods.IsPost(request.Method)
            && (string.Equals(path, "/admin/login", StringComparison.OrdinalIgnoreCase)
                || string.Equals(path, "/admin/password", StringComparison.OrdinalIgnoreCase));
    }
}
