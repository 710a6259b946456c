using System.Globalization;
using System.Threading.RateLimiting;
using GitTorrent.Web.Security;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.Options;
using GitTorrent.Engine.Base;

namespace GitTorrent.Web.Admin;

/// <summary>
/// ASP.NET Core's rate limiting middleware in front of the admin forms that check a password (posts to
/// <c>/admin/login</c> and <c>/admin/password</c>): <see cref="AdminSignInOptions.AttemptsPerAddress"/> per client
/// address; more get 429 with <c>Retry-After</c> before the form is read, the database asked or a password hashed.
/// </summary>
public static class AdminRateLimiting
{
    public static IServiceCollection AddAdminRateLimiting(this IServiceCollection services)
    {
        services.AddRateLimiter(_ => { });
        services.AddOptions<RateLimiterOptions>().Configure<IOptions<AdminSignInOptions>, PortalCounters>((o, admin, counters) =>
        {
            var settings = admin.Value;
            o.RejectionStatusCode = StatusCodes.Status429TooManyRequests;
            o.GlobalLimiter = PartitionedRateLimiter.Create<HttpContext, string>(context => ChecksAPassword(context.Request)
                ? RateLimitPartition.GetTokenBucketLimiter(ClientAddress.KeyOf(context),
                    _ => AdminSignIn.TokenBucket(settings.AttemptsPerAddress, settings.AddressWindow))
                : RateLimitPartition.GetNoLimiter(string.Empty));
            o.OnRejected = async (context, cancellationToken) =>
            {
                counters.Add(PortalCounters.SignInRefusedPerAddress);
                var after = context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retry) ? retry : settings.AddressWindow;
                var seconds = Math.Max(1, (int)Math.Ceiling(after.TotalSeconds));
                var response = context.HttpContext.Response;
                response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                response.ContentType = "text/plain; charset=utf-8";
                await response.WriteAsync($"Too many sign-in attempts from your address: try again in {seconds} s.\n", cancellationToken);
            };
        });
        return services;
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
