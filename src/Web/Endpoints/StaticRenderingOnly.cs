using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Endpoints;

namespace GitTorrent.Web.Endpoints;

/// <summary>
/// Marks the repository page's endpoint as statically rendered only. The portal configures interactive server
/// rendering (for /swarm), and then Blazor persists component state into every page it renders: an antiforgery token
/// minted per request (a DataProtection encryption, a Set-Cookie and no-store headers) and an encrypted state comment,
/// about 13% of the CPU of an uncached tree page, though repository pages have no interactive component and post no
/// form. ASP.NET Core has no public switch per endpoint: the metadata naming the render modes an endpoint may use is
/// internal, so it is made by name. Should a later framework rename it, nothing changes (the pages work as before, at
/// the old cost); an interactive component put on the repository page would fail to render at once, in every test.
/// </summary>
public static class StaticRenderingOnly
{
    private const string MetadataTypeName = "Microsoft.AspNetCore.Components.Endpoints.ConfiguredRenderModesMetadata";

    /// <summary>Whether the framework's metadata type was found (the pages then carry no component state).</summary>
    public static bool Available => NoRenderModes is not null;

    private static readonly object? NoRenderModes = typeof(RazorComponentsServiceOptions).Assembly.GetType(MetadataTypeName)
        ?.GetConstructor([typeof(IComponentRenderMode[])])?.Invoke([Array.Empty<IComponentRenderMode>()]);

    /// <summary>Adds "no interactive render mode" to the endpoints of the components of <paramref name="pages"/>.</summary>
    public static TBuilder WithStaticRenderingOnly<TBuilder>(this TBuilder builder, params Type[] pages) where TBuilder : IEndpointConventionBuilder
    {
        if (NoRenderModes is { } metadata)
        {
            builder.Add(endpoint =>
            {
                if (endpoint.Metadata.OfType<ComponentTypeMetadata>().Any(m => pages.Contains(m.Type)))
                {
                    endpoint.Metadata.Add(metadata);
                }
            });
        }

        return builder;
    }
}
