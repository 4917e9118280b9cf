using Npgsql;

namespace ActorSales.Infrastructure.Postgres.ReadModel;

/// <summary>
/// The SQL a read-model query runs and its parameters, as <see cref="PostgresReadModelStore"/> builds it: what an
/// operator EXPLAINs for a slow query, and what the benchmarks' raw-Npgsql baselines run ("the same SQL"). A page query
/// selects (payload, number, text, id) rows, at most <see cref="PageSize"/> + 1 (a further row proves a next page); an
/// analytics statement selects its facts or counts (<see cref="Shape"/> "analytics:...", <see cref="PageSize"/> its
/// list limit or 0).
/// </summary>
public sealed class ReadModelStatement
{
    private readonly NpgsqlParameter[] _parameters;

    internal ReadModelStatement(string sql, IReadOnlyList<NpgsqlParameter> parameters, string shape, int pageSize)
    {
        Sql = sql;
        _parameters = [.. parameters];
        Shape = shape;
        PageSize = pageSize;
    }

    public string Sql { get; }

    /// <summary>The positional parameters (@p0, @p1, ...) with their values and types.</summary>
    public IReadOnlyList<NpgsqlParameter> Parameters => _parameters;

    /// <summary>The query shape its page tokens name.</summary>
    public string Shape { get; }

    public int PageSize { get; }

    /// <summary>A command on <paramref name="source"/> with copies of the parameters (a parameter belongs to one command), so a statement can run many times.</summary>
    public NpgsqlCommand CreateCommand(NpgsqlDataSource source)
    {
        ArgumentNullException.ThrowIfNull(source);
        var command = source.CreateCommand(Sql);
        foreach (var parameter in _parameters)
        {
            command.Parameters.Add(parameter.Clone());
        }
        return command;
    }
}
