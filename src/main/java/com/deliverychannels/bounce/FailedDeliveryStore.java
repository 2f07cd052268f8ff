package com.deliverychannels.bounce;

import java.util.Optional;

/** Where failed-delivery records live, per user, newest first by key. */
public interface FailedDeliveryStore {

    /**
     * Up to {@code limit} records, newest first, after the position {@code cursor} marks. A cursor names a
     * position, not an offset: records that arrive while a client pages do not shift the pages it has yet to read.
     *
     * @throws com.deliverychannels.core.InvalidInputException when the cursor was not made by this store
     */
    FailedDeliveryPage page(String userId, int limit, Optional<String> cursor);

    /** Removes a record from the user's list; answers false when the user has no such record. */
    boolean dismiss(String userId, String failedDeliveryId);

    /** Adds a record; writing the same record twice leaves one. */
    void record(String userId, FailedDelivery failure);
}
