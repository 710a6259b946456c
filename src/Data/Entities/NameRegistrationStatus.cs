namespace GitTorrent.Data.Entities;

/// <summary>How final a name entry is: pending (mempool), settling (fewer confirmations than required), settled.</summary>
public enum NameRegistrationStatus
{
    Pending,
    Settling,
    Settled,
}
