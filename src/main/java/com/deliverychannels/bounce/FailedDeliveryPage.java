package com.deliverychannels.bounce;

import java.util.List;

/**
 * One page of a user's failed deliveries, newest first.
 *
 * @param nextCursor opaque; null on the last page
 */
public record FailedDeliveryPage(List<FailedDelivery> items, String nextCursor) {
}
