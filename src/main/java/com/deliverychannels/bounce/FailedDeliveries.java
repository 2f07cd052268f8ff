package com.deliverychannels.bounce;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import com.deliverychannels.core.NotFoundException;
import com.deliverychannels.core.SortableId;
import com.deliverychannels.core.Validation;

/** The failed-delivery list users read and tidy. */
@ApplicationScoped
public class FailedDeliveries {
    public static final int DEFAULT_LIMIT = 50;
    public static final int MAX_LIMIT = 100;

    private final FailedDeliveryStore store;

    public FailedDeliveries(FailedDeliveryStore store) {
        this.store = store;
    }

    /** A page of the user's failed deliveries, newest first; {@code limit} defaults to 50. */
    public FailedDeliveryPage page(String userId, Optional<Integer> limit, Optional<String> cursor) {
        Validation v = new Validation();
        int size = limit.orElse(DEFAULT_LIMIT);
        v.check(size >= 1 && size <= MAX_LIMIT, "limit", "field.range", 1, MAX_LIMIT);
        cursor.ifPresent(c -> v.check(!c.isBlank(), "cursor", "field.cursor"));
        v.throwIfInvalid();
        return store.page(userId, size, cursor);
    }

    /** Removes one record from the user's list. */
    public void dismiss(String userId, String failedDeliveryId) {
        if (!SortableId.isWellFormed(failedDeliveryId) || !store.dismiss(userId, failedDeliveryId)) {
            throw new NotFoundException("problem.failed-delivery.not-found");
        }
    }
}
