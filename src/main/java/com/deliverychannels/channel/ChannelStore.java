package com.deliverychannels.channel;

import java.util.List;

/**
 * Where a user's channel settings and identities live. Every write is conditional on the settings'
 * {@code version}: a write answers {@code false}, and changes nothing, when another write came first.
 */
public interface ChannelStore {

    /** The user's settings, or {@link ChannelSettings#initial()} when there are none. */
    ChannelSettings settings(String userId);

    /** Replaces the settings with {@code next} if they are still at {@code expectedVersion}. */
    boolean replaceSettings(String userId, ChannelSettings next, long expectedVersion);

    /** One of the user's identities. */
    java.util.Optional<Identity> identity(String userId, String identityId);

    /** The user's identities, oldest first. */
    List<Identity> identities(String userId);

    /**
     * Writes an identity and the settings together if the settings are still at {@code expectedVersion};
     * {@code created} says whether the identity must be new or must exist already.
     */
    boolean saveIdentity(String userId, Identity identity, boolean created, ChannelSettings next, long expectedVersion);

    /** Deletes an identity and writes the settings together if they are still at {@code expectedVersion}. */
    boolean deleteIdentity(String userId, String identityId, ChannelSettings next, long expectedVersion);
}
