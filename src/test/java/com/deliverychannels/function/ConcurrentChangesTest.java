package com.deliverychannels.function;

import static com.deliverychannels.function.StoredItems.newUser;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.deliverychannels.channel.ChannelSettings;
import com.deliverychannels.channel.ChannelStore;
import com.deliverychannels.channel.ChannelType;
import com.deliverychannels.channel.Identity;
import com.deliverychannels.channel.IdentityChange;
import com.deliverychannels.channel.IdentityService;
import com.deliverychannels.channel.IdentityView;
import com.deliverychannels.core.ConflictException;
import com.deliverychannels.core.SortableId;
import com.deliverychannels.testing.ApiEvents;
import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.junit.QuarkusTest;

/**
 * Two changes to one user's settings at once (two browser tabs, two Lambda instances): the one that comes
 * second is told it lost, and is retried; it is never reported as the table being unavailable. The mock event
 * server runs one invocation at a time, so the race is driven through the services the function calls.
 */
@QuarkusTest
class ConcurrentChangesTest {

    @Inject
    ChannelStore store;

    @Inject
    IdentityService identities;

    @Test
    void writeOverAStaleVersionLosesAndChangesNothing() {
        String user = newUser();
        ChannelSettings first = ChannelSettings.initial().nextVersion(Instant.now());
        assertTrue(store.replaceSettings(user, first, 0));

        boolean written = store.replaceSettings(user, first.withActive(ChannelType.SMTP).nextVersion(Instant.now()), 0);

        assertFalse(written);
        assertEquals(ChannelType.MSC, store.settings(user).active());
    }

    @Test
    void identityWrittenOverAStaleVersionLosesAndChangesNothing() {
        String user = newUser();
        ChannelSettings first = ChannelSettings.initial().nextVersion(Instant.now());
        assertTrue(store.replaceSettings(user, first, 0));
        Identity identity = new Identity(SortableId.at(Instant.now()), "Bob", "bob@example.com", Instant.now());

        boolean written = store.saveIdentity(user, identity, true,
                first.withDefaultIdentity(identity.id()).nextVersion(Instant.now()), 0);

        assertFalse(written);
        assertTrue(store.identities(user).isEmpty());
    }

    @Test
    void identitiesCreatedAtOnceAllLandWithOneDefault() throws Exception {
        String user = newUser();
        int writers = 6;
        ExecutorService pool = Executors.newFixedThreadPool(writers);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<IdentityView>> outcomes = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            int n = i;
            Callable<IdentityView> create = () -> {
                start.await();
                return identities.create(user, new IdentityChange("Alias " + n, "alias" + n + "@example.com", n % 2 == 0));
            };
            outcomes.add(pool.submit(create));
        }
        start.countDown();
        int created = 0;
        for (Future<IdentityView> outcome : outcomes) {
            try {
                outcome.get(30, TimeUnit.SECONDS);
                created++;
            } catch (java.util.concurrent.ExecutionException e) {
                // Losing every optimistic round is a 409 "try again"; anything else (a 503) is a defect.
                assertTrue(e.getCause() instanceof ConflictException, "unexpected outcome: " + e.getCause());
            }
        }
        pool.shutdown();

        JsonNode items = ApiEvents.get("/v1/identities").as(user).send().body().get("items");
        assertTrue(created >= 1);
        assertEquals(created, items.size());
        int defaults = 0;
        for (JsonNode item : items) {
            defaults += item.get("default").asBoolean() ? 1 : 0;
        }
        assertEquals(1, defaults);
    }
}
