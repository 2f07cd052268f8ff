package com.deliverychannels.channel;

import java.time.Instant;

/**
 * Everything a user chose about sending: the active channel, the default identity, and the two
 * connections. One item, versioned: every change is a conditional write on {@code version}, so two
 * concurrent changes never lose one another.
 *
 * @param defaultIdentityId null while the user has no identity
 * @param smtp              null until SMTP settings are saved
 * @param gmail             null until Gmail is connected
 * @param version           0 for a user who never saved anything
 */
public record ChannelSettings(ChannelType active, String defaultIdentityId, SmtpSettings smtp, GmailConnection gmail,
        long version, Instant updatedAt) {

    /** The settings of a user who never changed anything. */
    public static ChannelSettings initial() {
        return new ChannelSettings(ChannelType.DEFAULT, null, null, null, 0, null);
    }

    public ChannelSettings withActive(ChannelType next) {
        return new ChannelSettings(next, defaultIdentityId, smtp, gmail, version, updatedAt);
    }

    public ChannelSettings withDefaultIdentity(String identityId) {
        return new ChannelSettings(active, identityId, smtp, gmail, version, updatedAt);
    }

    public ChannelSettings withSmtp(SmtpSettings next) {
        return new ChannelSettings(active, defaultIdentityId, next, gmail, version, updatedAt);
    }

    public ChannelSettings withGmail(GmailConnection next) {
        return new ChannelSettings(active, defaultIdentityId, smtp, next, version, updatedAt);
    }

    /** The next version to write, stamped with the time of the change. */
    public ChannelSettings nextVersion(Instant at) {
        return new ChannelSettings(active, defaultIdentityId, smtp, gmail, version + 1, at);
    }
}
