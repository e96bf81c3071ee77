using Microsoft.Extensions.Options;

namespace Zaqar.Hub.Api;

/// <summary>Rules that span several <see cref="ZaqarOptions"/> fields; checked at start.</summary>
public sealed class ZaqarOptionsValidation : IValidateOptions<ZaqarOptions>
{
    public ValidateOptionsResult Validate(string? name, ZaqarOptions o)
    {
        var failures = new List<string>();
        if (o.MinLengthClientId > o.MaxLengthClientId)
        {
            failures.Add("Zaqar:MinLengthClientId must not exceed Zaqar:MaxLengthClientId.");
        }
        if (o.DefaultMessageTtl > o.MaxMessageTtl)
        {
            failures.Add("Zaqar:DefaultMessageTtl must not exceed Zaqar:MaxMessageTtl.");
        }
        if (o.DefaultMessageDelay > o.MaxMessageDelay)
        {
            failures.Add("Zaqar:DefaultMessageDelay must not exceed Zaqar:MaxMessageDelay.");
        }
        if (o.DefaultClaimTtl > o.MaxClaimTtl)
        {
            failures.Add("Zaqar:DefaultClaimTtl must not exceed Zaqar:MaxClaimTtl.");
        }
        if (o.DefaultClaimGrace > o.MaxClaimGrace)
        {
            failures.Add("Zaqar:DefaultClaimGrace must not exceed Zaqar:MaxClaimGrace.");
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
