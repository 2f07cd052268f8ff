package com.deliverychannels.testing;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.annotation.Priority;
import jakarta.decorator.Decorator;
import jakarta.decorator.Delegate;
import jakarta.enterprise.context.Dependent;
import jakarta.inject.Inject;

import com.deliverychannels.bounce.FailedDelivery;
import com.deliverychannels.core.UnavailableException;
import com.deliverychannels.delivery.Delivery;
import com.deliverychannels.delivery.DeliveryStore;
import com.deliverychannels.delivery.DeliveryStore.KeyedCreation;
import com.deliverychannels.delivery.IdempotencyMarker;

/**
 * The real {@link DeliveryStore} (DynamoDB Local), with DynamoDB throttling or unavailability injected at the
 * writes of a send or a sweep when a test asks for it: the write fails with the same
 * {@link UnavailableException} the store raises when DynamoDB throttles or cannot be reached, and nothing is
 * written. Inert until a test arms it; tests call {@link #reset()} in {@code @AfterEach}.
 *
 * <p>Faults apply only to deliveries of one user (the table and the sweep are shared with other tests, whose
 * deliveries must never be hit):
 *
 * <pre>{@code
 * FaultyDeliveryStore.failCreates(user);          // every create of the user's deliveries, until reset()
 * FaultyDeliveryStore.crashAfterCreate(user);     // the next create is written, then the caller "dies"
 * FaultyDeliveryStore.failNextUpdate(user);       // the next update of one of the user's deliveries, once
 * FaultyDeliveryStore.failUpdate(user, 1);        // the update after the next one, once
 * FaultyDeliveryStore.failUpdates(user);          // every update, until reset()
 * assertEquals(1, FaultyDeliveryStore.injected()); // how many faults were actually raised
 * }</pre>
 *
 * A CDI decorator rather than a mock: every bean that uses the store (the send function, the attempts, the retry
 * sweep) goes through it, and every read and every write that is not failed reaches DynamoDB Local.
 */
@Decorator
@Priority(10)
@Dependent
public class FaultyDeliveryStore implements DeliveryStore {
    private static final Object LOCK = new Object();
    private static String owner;
    private static boolean failCreates;
    private static boolean crashAfterCreate;
    private static int updatesToLetThrough;
    /** How many updates to fail once armed; negative means every one. */
    private static int updatesToFail;
    private static final AtomicInteger INJECTED = new AtomicInteger();
    private static final AtomicInteger DUE_QUERIES = new AtomicInteger();
    private static boolean failBatchReads;

    @Inject
    @Delegate
    DeliveryStore delegate;

    /** Every create of {@code user}'s deliveries fails, nothing written, until {@link #reset()}. */
    public static void failCreates(String user) {
        synchronized (LOCK) {
            owner = user;
            failCreates = true;
        }
    }

    /**
     * The next create of {@code user}'s delivery is written, and then fails as if the process died right after
     * the write: the delivery (and its idempotency marker) exists, the caller never gets further.
     */
    public static void crashAfterCreate(String user) {
        synchronized (LOCK) {
            owner = user;
            crashAfterCreate = true;
        }
    }

    /** The next update of one of {@code user}'s deliveries fails, once. */
    public static void failNextUpdate(String user) {
        failUpdate(user, 0);
    }

    /** After {@code letThrough} updates of {@code user}'s deliveries succeed, the next one fails, once. */
    public static void failUpdate(String user, int letThrough) {
        synchronized (LOCK) {
            owner = user;
            updatesToLetThrough = letThrough;
            updatesToFail = 1;
        }
    }

    /** Every read of several deliveries at once ({@code findAll}, the sweep's) fails, until {@link #reset()}. */
    public static void failBatchReads() {
        synchronized (LOCK) {
            failBatchReads = true;
        }
    }

    /** Every update of {@code user}'s deliveries fails, until {@link #reset()}. */
    public static void failUpdates(String user) {
        synchronized (LOCK) {
            owner = user;
            updatesToLetThrough = 0;
            updatesToFail = -1;
        }
    }

    /** Back to the real store, untouched. */
    public static void reset() {
        synchronized (LOCK) {
            owner = null;
            failCreates = false;
            crashAfterCreate = false;
            updatesToLetThrough = 0;
            updatesToFail = 0;
            INJECTED.set(0);
            DUE_QUERIES.set(0);
            failBatchReads = false;
        }
    }

    /** How often the due retries were asked for since the last {@link #reset()} (it injects no fault there). */
    public static int dueQueries() {
        return DUE_QUERIES.get();
    }

    /** How many faults were raised since the last {@link #reset()}. */
    public static int injected() {
        return INJECTED.get();
    }

    @Override
    public boolean create(Delivery delivery, Optional<IdempotencyMarker> marker) {
        return creating(delivery, () -> delegate.create(delivery, marker));
    }

    @Override
    public KeyedCreation create(Delivery delivery, IdempotencyMarker marker) {
        return creating(delivery, () -> delegate.create(delivery, marker));
    }

    /** A create, failed or followed by a crash as armed. */
    private <T> T creating(Delivery delivery, java.util.function.Supplier<T> create) {
        boolean crash;
        synchronized (LOCK) {
            if (ours(delivery) && failCreates) {
                throw fault("create " + delivery.deliveryId());
            }
            crash = ours(delivery) && crashAfterCreate;
            if (crash) {
                crashAfterCreate = false;
            }
        }
        T created = create.get();
        if (crash) {
            throw fault("after create " + delivery.deliveryId());
        }
        return created;
    }

    @Override
    public Optional<Delivery> find(String deliveryId) {
        return delegate.find(deliveryId);
    }

    @Override
    public java.util.Map<String, Delivery> findAll(java.util.Collection<String> deliveryIds) {
        synchronized (LOCK) {
            if (failBatchReads) {
                throw fault("findAll");
            }
        }
        return delegate.findAll(deliveryIds);
    }

    @Override
    public Optional<Delivery> findBySesMessageId(String sesMessageId) {
        return delegate.findBySesMessageId(sesMessageId);
    }

    @Override
    public boolean update(Delivery next, long expectedVersion, List<FailedDelivery> failures) {
        failIfArmed(next);
        return delegate.update(next, expectedVersion, failures);
    }

    @Override
    public boolean update(Delivery next, long expectedVersion, List<FailedDelivery> failures,
            IdempotencyMarker answered) {
        failIfArmed(next);
        return delegate.update(next, expectedVersion, failures, answered);
    }

    private void failIfArmed(Delivery next) {
        synchronized (LOCK) {
            if (ours(next) && updatesToFail != 0) {
                if (updatesToLetThrough > 0) {
                    updatesToLetThrough--;
                } else {
                    if (updatesToFail > 0) {
                        updatesToFail--;
                    }
                    throw fault("update " + next.deliveryId() + " to " + next.status());
                }
            }
        }
    }

    @Override
    public List<String> due(Instant now, int limit) {
        DUE_QUERIES.incrementAndGet();
        return delegate.due(now, limit);
    }

    @Override
    public Optional<IdempotencyMarker> marker(String userId, String key) {
        return delegate.marker(userId, key);
    }

    private static boolean ours(Delivery delivery) {
        return owner != null && owner.equals(delivery.userId());
    }

    private static UnavailableException fault(String where) {
        INJECTED.incrementAndGet();
        return new UnavailableException("problem.store.unavailable",
                new RuntimeException("injected: throttled (" + where + ")"));
    }
}
