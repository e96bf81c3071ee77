using System.Runtime.CompilerServices;
using System.Text;

namespace Zaqar.Data.Stores;

/// <summary>
/// A statement written with named placeholders (<c>@project</c>), rewritten once to PostgreSQL's positional ones
/// (<c>$1</c>), with the names in position order: what Npgsql would otherwise do on every execution (issue 14).
/// </summary>
/// <remarks>
/// Npgsql parses a command's text to rewrite named placeholders each time a command is made, prepared statements
/// included (<c>SqlQueryParser</c>: 3 % of the process's CPU under the hub's claim, the largest managed frame; 5 % of
/// the allocations under its post of one); with positional parameters only it sends the text as it is. Statement texts
/// stay readable with names; each text is rewritten once, kept for as long as the text lives (they are constants).
/// The rewrite knows the SQL our stores write: quoted literals and identifiers and comments are copied untouched; a
/// dollar-quoted body or a positional placeholder already present is refused rather than guessed at.
/// </remarks>
internal sealed class PositionalSql
{
    private static readonly ConditionalWeakTable<string, PositionalSql> Rewritten = new();

    private PositionalSql(string text, string[] names)
    {
        Text = text;
        Names = names;
    }

    /// <summary>The text with <c>$n</c> placeholders.</summary>
    public string Text { get; }

    /// <summary>The parameter names, <c>Names[n - 1]</c> for <c>$n</c>.</summary>
    public string[] Names { get; }

    public static PositionalSql Of(string sql) => Rewritten.GetValue(sql, Rewrite);

    private static PositionalSql Rewrite(string sql)
    {
        var text = new StringBuilder(sql.Length);
        var names = new List<string>();
        var i = 0;
        while (i < sql.Length)
        {
            var c = sql[i];
            if (c is '\'' or '"')
            {
                // A literal or quoted identifier; a doubled quote inside it is part of it. E'' literals (backslash
                // escapes) are not written by the stores: refused below if one appears.
                if (c == '\'' && i > 0 && (sql[i - 1] is 'E' or 'e') && (i == 1 || !IsIdentifierChar(sql[i - 2])))
                {
                    throw Unsupported(sql, "an escape string literal (E'...')");
                }
                var end = i + 1;
                while (true)
                {
                    end = sql.IndexOf(c, end);
                    if (end < 0)
                    {
                        throw Unsupported(sql, "an unterminated quote");
                    }
                    if (end + 1 < sql.Length && sql[end + 1] == c)
                    {
                        end += 2;
                        continue;
                    }
                    break;
                }
                text.Append(sql, i, end + 1 - i);
                i = end + 1;
            }
            else if (c == '-' && i + 1 < sql.Length && sql[i + 1] == '-')
            {
                var end = sql.IndexOf('\n', i);
                end = end < 0 ? sql.Length : end;
                text.Append(sql, i, end - i);
                i = end;
            }
            else if (c == '/' && i + 1 < sql.Length && sql[i + 1] == '*')
            {
                var end = sql.IndexOf("*/", i + 2, StringComparison.Ordinal);
                if (end < 0)
                {
                    throw Unsupported(sql, "an unterminated comment");
                }
                text.Append(sql, i, end + 2 - i);
                i = end + 2;
            }
            else if (c == '$')
            {
                throw Unsupported(sql, "a $ (a positional placeholder or a dollar-quoted body)");
            }
            else if (c == '@' && i + 1 < sql.Length && (char.IsAsciiLetter(sql[i + 1]) || sql[i + 1] == '_') &&
                     (i == 0 || (!IsIdentifierChar(sql[i - 1]) && sql[i - 1] != '@')))
            {
                var end = i + 1;
                while (end < sql.Length && IsIdentifierChar(sql[end]))
                {
                    end++;
                }
                var name = sql[(i + 1)..end];
                var index = names.FindIndex(n => string.Equals(n, name, StringComparison.OrdinalIgnoreCase));
                if (index < 0)
                {
                    names.Add(name);
                    index = names.Count - 1;
                }
                text.Append('$').Append(index + 1);
                i = end;
            }
            else
            {
                text.Append(c);
                i++;
            }
        }
        return new PositionalSql(text.ToString(), [.. names]);
    }

    private static bool IsIdentifierChar(char c) => char.IsAsciiLetterOrDigit(c) || c == '_';

    private static NotSupportedException Unsupported(string sql, string what) =>
        new($"A prepared statement's text has {what}, which the positional rewrite does not handle: {sql}");
}
