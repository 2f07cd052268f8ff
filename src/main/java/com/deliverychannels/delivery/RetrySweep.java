package com.deliverychannels.delivery;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.deliverychannels.config.RetryConfig;
import com.deliverychannels.core.DomainException;
import com.deliverychannels.core.MisconfiguredException;
import com.deliverychannels.core.UnavailableException;

/**
 * The scheduled sweep (CONTRACT §3 {@code retry}): finds due deliveries through the index, claims each with
 * a conditional write that moves its next attempt a lease ahead (a sweep that dies gives its claims back
 * when the lease ends), sends it on the user's channel as it is now, and records the outcome. Two sweeps
 * running at once claim disjoint deliveries: a claim is a write conditional on the version both read.
 */
@ApplicationScoped
public class RetrySweep {
    private static final Logger LOG = Logger.getLogger(RetrySweep.class);
    /** How long a claimed delivery belongs to this sweep; longer than one SMTP attempt can take. */
    static final Duration LEASE = Duration.ofMinutes(2);
    private static final int PAGE = 100;

    private final DeliveryStore deliveries;
    private final DeliveryAttempts attempts;
    private final RetryConfig config;
    private final Clock clock;

    public RetrySweep(DeliveryStore deliveries, DeliveryAttempts attempts, RetryConfig config, Clock clock) {
        this.deliveries = deliveries;
        this.attempts = attempts;
        this.config = config;
        this.clock = clock;
    }

    /** What one sweep did. */
    public record Summary(int claimed, int sent, int rescheduled, int failed) {
    }

    /** Sweeps until nothing is due or its time budget is spent. */
    public Summary sweep() {
        Instant stopClaimingAt = clock.instant().plus(config.sweepTimeBudget());
        AtomicInteger claimed = new AtomicInteger();
        AtomicInteger sent = new AtomicInteger();
        AtomicInteger rescheduled = new AtomicInteger();
        AtomicInteger failed = new AtomicInteger();
        Set<String> seen = new HashSet<>();
        ExecutorService workers = Executors.newFixedThreadPool(Math.max(1, config.sweepConcurrency()));
        try {
            while (clock.instant().isBefore(stopClaimingAt)) {
                List<String> page = deliveries.due(clock.instant(), PAGE);
                List<String> due = page.stream().filter(seen::add).toList();
                if (due.isEmpty()) {
                    break; // nothing due that this sweep has not handled (the index may lag a moment behind)
                }
                List<Future<Optional<DeliveryStatus>>> running = new ArrayList<>();
                for (List<String> chunk : chunks(due, DeliveryStore.MAX_FIND_ALL)) {
                    // One read for a chunk instead of one per delivery; each claim still checks the version.
                    Map<String, Delivery> found;
                    try {
                        found = deliveries.findAll(chunk);
                    } catch (UnavailableException e) {
                        // Throttled: these deliveries stay due and the next sweep takes them. A refused
                        // permission or a missing table is no such thing: it fails the sweep, loudly.
                        LOG.warnf("retry of %d deliveries postponed: %s", chunk.size(), e.messageKey());
                        continue;
                    }
                    chunk.forEach(id -> running.add(workers.submit(
                            () -> claimAndSend(Optional.ofNullable(found.get(id)), stopClaimingAt))));
                }
                for (Future<Optional<DeliveryStatus>> result : running) {
                    Optional<DeliveryStatus> outcome = result.get();
                    if (outcome.isEmpty()) {
                        continue;
                    }
                    claimed.incrementAndGet();
                    switch (outcome.get()) {
                        case SENT -> sent.incrementAndGet();
                        case RETRY_SCHEDULED -> rescheduled.incrementAndGet();
                        case FAILED -> failed.incrementAndGet();
                        default -> {
                        }
                    }
                }
                if (page.size() < PAGE) {
                    // Fewer than a page in all: every index partition answered everything due, so asking
                    // again would only find what became due meanwhile, which the next sweep sends.
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException e) {
            if (e.getCause() instanceof MisconfiguredException misconfigured) {
                throw misconfigured;
            }
            throw new IllegalStateException("retry sweep worker failed", e.getCause());
        } finally {
            workers.shutdownNow();
        }
        Summary summary = new Summary(claimed.get(), sent.get(), rescheduled.get(), failed.get());
        LOG.infof("retry sweep: %s", summary);
        return summary;
    }

    private static List<List<String>> chunks(List<String> ids, int size) {
        List<List<String>> chunks = new ArrayList<>();
        for (int from = 0; from < ids.size(); from += size) {
            chunks.add(ids.subList(from, Math.min(ids.size(), from + size)));
        }
        return chunks;
    }

    /**
     * Claims one delivery, as read at the start of its chunk, if it is still due and unclaimed (the claim is
     * conditional on the version read), and sends it; empty when it was not ours to send.
     */
    private Optional<DeliveryStatus> claimAndSend(Optional<Delivery> current, Instant stopClaimingAt) {
        Instant now = clock.instant();
        if (!now.isBefore(stopClaimingAt)) {
            return Optional.empty(); // out of time: the next sweep takes it
        }
        String deliveryId = current.map(Delivery::deliveryId).orElse("(gone)");
        try {
            if (current.isEmpty() || current.get().status() != DeliveryStatus.RETRY_SCHEDULED
                    || current.get().nextAttemptAt() == null || current.get().nextAttemptAt().isAfter(now)) {
                return Optional.empty();
            }
            Delivery leased = current.get().leased(now.plus(LEASE));
            if (!deliveries.update(leased, current.get().version(), List.of())) {
                return Optional.empty(); // another sweep claimed it first
            }
            return Optional.of(attempts.attempt(leased).status());
        } catch (MisconfiguredException e) {
            throw e; // the deployment refuses the sweep's calls: every delivery would fail alike, so the sweep does
        } catch (DomainException e) {
            // The table throttled or a write lost a race: the delivery keeps its lease and comes back.
            LOG.warnf("retry of delivery %s postponed: %s", deliveryId, e.messageKey());
            return Optional.empty();
        } catch (RuntimeException e) {
            // One delivery that breaks must not stop the sweep for all the others; it keeps its lease, comes
            // back after it, and the error is in the log for the alarm on function errors to be traced.
            LOG.errorf(e, "retry of delivery %s failed unexpectedly; it comes back when its lease ends", deliveryId);
            return Optional.empty();
        }
    }
}
