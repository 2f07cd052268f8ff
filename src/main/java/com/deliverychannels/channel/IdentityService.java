package com.deliverychannels.channel;

import java.time.Clock;
import java.util.List;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import com.deliverychannels.core.ConflictException;
import com.deliverychannels.core.EmailAddress;
import com.deliverychannels.core.NotFoundException;
import com.deliverychannels.core.SortableId;
import com.deliverychannels.core.Validation;

/**
 * A user's sending identities. Exactly one is the default once any exists: the settings item names it,
 * so the rule holds by construction and every change is one conditional transaction.
 */
@ApplicationScoped
public class IdentityService {
    /** Enough for every alias a salesperson uses; bounds the query that lists them. */
    static final int MAX_IDENTITIES = 50;
    static final int MAX_NAME = 100;

    private final ChannelStore store;
    private final Clock clock;

    public IdentityService(ChannelStore store, Clock clock) {
        this.store = store;
        this.clock = clock;
    }

    /** The user's identities, oldest first, with the default marked. */
    public List<IdentityView> list(String userId) {
        ChannelSettings settings = store.settings(userId);
        return store.identities(userId).stream()
                .map(identity -> new IdentityView(identity, identity.id().equals(settings.defaultIdentityId())))
                .toList();
    }

    /** The default identity, if the user has any. */
    public Optional<Identity> defaultIdentity(String userId, ChannelSettings settings) {
        return settings.defaultIdentityId() == null ? Optional.empty()
                : store.identity(userId, settings.defaultIdentityId());
    }

    /** Creates an identity; the first one is the default whatever was asked. */
    public IdentityView create(String userId, IdentityChange change) {
        validate(change);
        return OptimisticRetry.run(() -> {
            ChannelSettings settings = store.settings(userId);
            List<Identity> existing = store.identities(userId);
            if (existing.size() >= MAX_IDENTITIES) {
                throw new ConflictException("problem.identity.limit", MAX_IDENTITIES);
            }
            refuseDuplicateAddress(existing, change.address(), null);
            Identity identity = new Identity(SortableId.at(clock.instant()), change.name(), change.address(),
                    clock.instant());
            boolean makeDefault = settings.defaultIdentityId() == null || Boolean.TRUE.equals(change.makeDefault());
            ChannelSettings next = (makeDefault ? settings.withDefaultIdentity(identity.id()) : settings)
                    .nextVersion(clock.instant());
            return store.saveIdentity(userId, identity, true, next, settings.version())
                    ? Optional.of(new IdentityView(identity, makeDefault)) : Optional.empty();
        });
    }

    /** Replaces an identity's name and address, and makes it the default when asked. */
    public IdentityView update(String userId, String identityId, IdentityChange change) {
        validate(change);
        return OptimisticRetry.run(() -> {
            ChannelSettings settings = store.settings(userId);
            List<Identity> existing = store.identities(userId);
            Identity current = existing.stream().filter(i -> i.id().equals(identityId)).findFirst()
                    .orElseThrow(() -> new NotFoundException("problem.identity.not-found"));
            refuseDuplicateAddress(existing, change.address(), identityId);
            boolean isDefault = identityId.equals(settings.defaultIdentityId());
            if (isDefault && Boolean.FALSE.equals(change.makeDefault())) {
                throw new ConflictException("problem.identity.default-required");
            }
            boolean makeDefault = isDefault || Boolean.TRUE.equals(change.makeDefault());
            Identity updated = new Identity(current.id(), change.name(), change.address(), current.createdAt());
            ChannelSettings next = (makeDefault ? settings.withDefaultIdentity(identityId) : settings)
                    .nextVersion(clock.instant());
            return store.saveIdentity(userId, updated, false, next, settings.version())
                    ? Optional.of(new IdentityView(updated, makeDefault)) : Optional.empty();
        });
    }

    /** Deletes an identity; when it was the default, the oldest remaining one becomes the default. */
    public void delete(String userId, String identityId) {
        OptimisticRetry.run(() -> {
            ChannelSettings settings = store.settings(userId);
            List<Identity> existing = store.identities(userId);
            if (existing.stream().noneMatch(i -> i.id().equals(identityId))) {
                throw new NotFoundException("problem.identity.not-found");
            }
            ChannelSettings next = settings;
            if (identityId.equals(settings.defaultIdentityId())) {
                String successor = existing.stream().map(Identity::id).filter(id -> !id.equals(identityId))
                        .findFirst().orElse(null);
                next = settings.withDefaultIdentity(successor);
            }
            return store.deleteIdentity(userId, identityId, next.nextVersion(clock.instant()), settings.version())
                    ? Optional.of(Boolean.TRUE) : Optional.empty();
        });
    }

    private static void validate(IdentityChange change) {
        Validation v = new Validation();
        // Both go into the From header of every message sent as this identity.
        v.headerValue(change.name(), "name", MAX_NAME);
        if (v.headerValue(change.address(), "address", 254)) {
            v.check(EmailAddress.isValid(change.address()), "address", "field.email");
        }
        v.throwIfInvalid();
    }

    private static void refuseDuplicateAddress(List<Identity> existing, String address, String exceptId) {
        String wanted = EmailAddress.canonical(address);
        boolean taken = existing.stream()
                .filter(i -> !i.id().equals(exceptId))
                .anyMatch(i -> EmailAddress.canonical(i.address()).equals(wanted));
        if (taken) {
            throw new ConflictException("problem.identity.duplicate-address", address);
        }
    }
}
