using System.Linq.Expressions;
using System.Reflection;
using GitTorrent.Data;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;

namespace GitTorrent.Web.Services;

/// <summary>
/// Case-insensitive substring search over registered names, display names and repository names, and prefix search over
/// user ids; one page at a time. Each kind is ranked: exact match first, then prefix, then (PostgreSQL) trigram
/// similarity, then recency. On PostgreSQL the match is <c>col ILIKE '%q%'</c>, which the trigram GIN indexes
/// (<c>gin_trgm_ops</c>) answer; <c>lower(col) LIKE</c> would bypass them. On SQLite it is <c>LIKE</c> (ASCII
/// case-insensitive).
/// </summary>
public sealed class SearchService(IDbContextFactory<GitTorrentDbContext> factory)
{
    public const int MaxQueryLength = 100;

    /// <summary>Results of each kind on one page.</summary>
    public const int PageSize = 50;

    /// <summary>Pages beyond this are not served (each costs three queries).</summary>
    public const int MaxPage = 100;

    private const string Escape = "\\";

    private static readonly MethodInfo Like = typeof(DbFunctionsExtensions).GetMethod(nameof(DbFunctionsExtensions.Like),
        [typeof(DbFunctions), typeof(string), typeof(string), typeof(string)])!;

    private static readonly MethodInfo ILike = typeof(NpgsqlDbFunctionsExtensions).GetMethod(nameof(NpgsqlDbFunctionsExtensions.ILike),
        [typeof(DbFunctions), typeof(string), typeof(string), typeof(string)])!;

    private static readonly MethodInfo Similarity = typeof(NpgsqlTrigramsDbFunctionsExtensions).GetMethod(
        nameof(NpgsqlTrigramsDbFunctionsExtensions.TrigramsSimilarity), [typeof(DbFunctions), typeof(string), typeof(string)])!;

    public Task<SearchResults> SearchAsync(string? query, CancellationToken cancellationToken) => SearchAsync(query, 1, cancellationToken);

    /// <summary>One page of results (1-based); <see cref="SearchResults.HasMore"/> says whether a next page has any.</summary>
    public async Task<SearchResults> SearchAsync(string? query, int page, CancellationToken cancellationToken)
    {
        var q = (query ?? string.Empty).Trim().ToLowerInvariant();
        if (q.Length == 0 || q.Length > MaxQueryLength || page is < 1 or > MaxPage)
        {
            return SearchResults.Empty;
        }

        var skip = (page - 1) * PageSize;

        await using var db = await factory.CreateDbContextAsync(cancellationToken);
        var match = new Matcher(q, db.Provider == DatabaseProvider.Postgres);
        var users = await match.Ranked(db.Users.AsNoTracking()
                .Where(match.Contains<Data.Entities.User>(u => u.DisplayName, u => u.UserId.StartsWith(q))),
                u => u.DisplayName)
            .ThenByDescending(u => u.LastSeen)
            .ThenBy(u => u.UserId)
            .Skip(skip)
            .Take(PageSize + 1)
            .Select(u => new UserSummary(u.UserId, u.DisplayName, u.LastSeen, u.Repositories.Count))
            .ToListAsync(cancellationToken);
        var repositories = await match.Ranked(db.Repositories.AsNoTracking()
                .Where(match.Contains<Data.Entities.Repository>(r => r.Name)), r => r.Name)
            .ThenByDescending(r => r.LastUpdated)
            .ThenBy(r => r.Id)
            .Skip(skip)
            .Take(PageSize + 1)
            .Select(r => new RepositorySummary(r.UserId, r.User!.DisplayName, r.Name, r.LastUpdated))
            .ToListAsync(cancellationToken);
        var names = await match.Ranked(db.NameRegistrations.AsNoTracking()
                .Where(match.Contains<Data.Entities.NameRegistration>(n => n.Name))
                .Select(n => n.Name!)
                .Distinct(), n => n)
            .ThenBy(n => n)
            .Skip(skip)
            .Take(PageSize + 1)
            .ToListAsync(cancellationToken);
        var hasMore = users.Count > PageSize || repositories.Count > PageSize || names.Count > PageSize;
        return new SearchResults([.. users.Take(PageSize)], [.. repositories.Take(PageSize)], [.. names.Take(PageSize)], hasMore);
    }

    /// <summary>The match and rank expressions for one query on one provider.</summary>
    private sealed class Matcher(string q, bool postgres)
    {
        private readonly string _escaped = q.Replace(Escape, Escape + Escape, StringComparison.Ordinal)
            .Replace("%", Escape + "%", StringComparison.Ordinal)
            .Replace("_", Escape + "_", StringComparison.Ordinal);

        /// <summary><paramref name="column"/> contains the query, case-insensitively (or <paramref name="orElse"/> holds).</summary>
        public Expression<Func<T, bool>> Contains<T>(Expression<Func<T, string?>> column, Expression<Func<T, bool>>? orElse = null)
        {
            Expression body = Pattern(column.Body, "%" + _escaped + "%");
            if (orElse is not null)
            {
                body = Expression.OrElse(ReplacingExpressionVisitor.Replace(orElse.Parameters[0], column.Parameters[0], orElse.Body), body);
            }
            return Expression.Lambda<Func<T, bool>>(body, column.Parameters);
        }

        /// <summary>Exact match, then prefix, then (PostgreSQL) trigram similarity, best first.</summary>
        public IOrderedQueryable<T> Ranked<T>(IQueryable<T> source, Expression<Func<T, string?>> column)
        {
            var rank = Expression.Condition(Pattern(column.Body, _escaped), Expression.Constant(0),
                Expression.Condition(Pattern(column.Body, _escaped + "%"), Expression.Constant(1), Expression.Constant(2)));
            var ordered = source.OrderBy(Expression.Lambda<Func<T, int>>(rank, column.Parameters));
            return postgres
                ? ordered.ThenByDescending(Expression.Lambda<Func<T, double>>(
                    Expression.Call(Similarity, Expression.Constant(EF.Functions), column.Body, Expression.Constant(q)),
                    column.Parameters))
                : ordered;
        }

        private MethodCallExpression Pattern(Expression column, string pattern) =>
            Expression.Call(postgres ? ILike : Like, Expression.Constant(EF.Functions), column, Expression.Constant(pattern),
                Expression.Constant(Escape));
    }
}
