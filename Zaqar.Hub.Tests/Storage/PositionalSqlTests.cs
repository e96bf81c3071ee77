using Zaqar.Data.Stores;

namespace Zaqar.Hub.Tests.Storage;

/// <summary>
/// The prepared statements' rewrite from named to positional placeholders (issue 14): what Npgsql did on every call,
/// done once. Every store statement runs through it in the rest of the suite; these pin the lexical cases.
/// </summary>
public sealed class PositionalSqlTests
{
    [Fact]
    public void NamesBecomePositionsInOrderOfFirstUseAndARepeatedNameKeepsItsPosition()
    {
        var statement = PositionalSql.Of("SELECT * FROM t WHERE a = @project AND b > @now AND c < @now AND d = @Project");

        Assert.Equal("SELECT * FROM t WHERE a = $1 AND b > $2 AND c < $2 AND d = $1", statement.Text);
        Assert.Equal(["project", "now"], statement.Names);
    }

    [Fact]
    public void QuotedTextCommentsAndOperatorsKeepTheirAtSigns()
    {
        var statement = PositionalSql.Of(
            """
            SELECT 'mail@example.com', 'it''s @not', "col@x" -- a comment with @name
            FROM t /* and @another */ WHERE doc @> @filter::jsonb AND tags @@ to_tsquery(@q) AND x=@y_2
            """);

        Assert.Equal(
            """
            SELECT 'mail@example.com', 'it''s @not', "col@x" -- a comment with @name
            FROM t /* and @another */ WHERE doc @> $1::jsonb AND tags @@ to_tsquery($2) AND x=$3
            """, statement.Text);
        Assert.Equal(["filter", "q", "y_2"], statement.Names);
    }

    [Fact]
    public void AStatementRewrittenOnceIsTheSameObjectAfterwards()
    {
        const string sql = "SELECT @only";

        Assert.Same(PositionalSql.Of(sql), PositionalSql.Of(sql));
    }

    [Theory]
    [InlineData("SELECT $1")]
    [InlineData("SELECT $$ @body $$")]
    [InlineData("SELECT E'\\' @x'")]
    [InlineData("SELECT 'unterminated @x")]
    [InlineData("SELECT 1 /* unterminated")]
    public void TextTheRewriteCannotReadSafelyIsRefusedNotGuessedAt(string sql)
    {
        var refused = Assert.Throws<NotSupportedException>(() => PositionalSql.Of(sql));

        Assert.Contains("positional rewrite", refused.Message);
    }
}
