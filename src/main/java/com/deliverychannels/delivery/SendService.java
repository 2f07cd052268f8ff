package com.deliverychannels.delivery;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

import com.deliverychannels.channel.ChannelSettings;
import com.deliverychannels.channel.ChannelStore;
import com.deliverychannels.channel.ChannelType;
import com.deliverychannels.channel.GmailStatus;
import com.deliverychannels.channel.Identity;
import com.deliverychannels.core.ConflictException;
import com.deliverychannels.core.FieldError;
import com.deliverychannels.core.InvalidInputException;
import com.deliverychannels.core.NotFoundException;
import com.deliverychannels.core.SortableId;

/**
 * Sending a user's message on their channel (CONTRACT §3 {@code send}). The delivery is written before
 * the SMTP transaction, as RETRY_SCHEDULED with a short lease, and updated after it: a process that dies
 * in between leaves a delivery the retry sweep sends when the lease runs out, so no accepted message is
 * ever lost (at the price of a possible second copy when the death falls between the server's 250 and our
 * write; see the README).
 */
@ApplicationScoped
public class SendService {
    private static final Logger LOG = Logger.getLogger(SendService.class);
    /** How long the first attempt owns a new delivery before the retry sweep may take it over. */
    static final Duration SEND_LEASE = Duration.ofMinutes(2);
    /** How long an Idempotency-Key is remembered. */
    static final Duration KEY_LIFETIME = Duration.ofHours(24);
    /**
     * How long a request that holds an Idempotency-Key may still be running: the send function's time-out
     * ({@code Timeout: 30} in infra/template.yaml; CONTRACT §3 gives a request 25 s). A request without an answer
     * after that is dead, and its repeats answer the delivery as it stands.
     */
    static final Duration IN_FLIGHT_LIMIT = Duration.ofSeconds(30);
    /** When a repeat that found the first request running is told to ask again: most sends take a second. */
    static final Duration IN_FLIGHT_RETRY_AFTER = Duration.ofSeconds(1);
    private static final Pattern KEY = Pattern.compile("[\\x21-\\x7E]{1,255}");

    private final DeliveryStore deliveries;
    private final ChannelStore channels;
    private final SenderLookup senders;
    private final DeliveryAttempts attempts;
    private final Clock clock;

    public SendService(DeliveryStore deliveries, ChannelStore channels, SenderLookup senders,
            DeliveryAttempts attempts, Clock clock) {
        this.deliveries = deliveries;
        this.channels = channels;
        this.senders = senders;
        this.attempts = attempts;
        this.clock = clock;
    }

    /**
     * Sends a message and answers its delivery. With an {@code Idempotency-Key} used before for the same
     * request, sends nothing: answers what the first request answered once it has; while it is still running,
     * refuses with a conflict that passes ({@link ConflictException#retryAfter()}); and if it ended without
     * recording an answer (its process died), answers the delivery as it stands now.
     *
     * @throws InvalidInputException when the request breaks a rule, a recipient is suppressed, or a key was
     *                               used for another request
     * @throws ConflictException     when the user has no identity, the active channel is not usable, or the
     *                               first request with the same key is still running
     */
    public Delivery send(String userId, SendRequest request, Optional<String> idempotencyKey) {
        SendRequestRules.check(request);
        idempotencyKey.ifPresent(SendService::checkKey);
        String requestHash = hash(request);
        Optional<IdempotencyMarker> held = idempotencyKey.flatMap(key -> deliveries.marker(userId, key));
        if (held.isPresent()) {
            return answerFor(held.get(), requestHash);
        }
        ChannelSettings settings = channels.settings(userId);
        SenderLookup.Sender sender = senders.lookup(userId, identityId(settings, request), recipients(request));
        Identity identity = identity(sender, request);
        ChannelType channel = settings.active();
        String fromAddress = fromAddress(settings, identity);
        refuseSuppressed(request, sender.suppressedRecipients());

        Instant now = clock.instant();
        String deliveryId = SortableId.at(now);
        Delivery created = new Delivery(deliveryId, userId, DeliveryStatus.RETRY_SCHEDULED, channel, identity.id(),
                identity.name(), fromAddress, request.to(), request.cc(), request.bcc(), request.replyTo(),
                request.subject(), request.text(), request.html(), request.conversationId(), channel.viaTag(),
                channel.bounceTracking(), 0, now.plus(SEND_LEASE), null,
                List.of(new DeliveryEvent("ACCEPTED", now, null)), now, null, null, 1);
        Optional<IdempotencyMarker> marker = idempotencyKey.map(key -> IdempotencyMarker.inFlight(userId, key,
                requestHash, deliveryId, now, KEY_LIFETIME, IN_FLIGHT_LIMIT));
        if (marker.isPresent()) {
            // The same key arrived at the same moment from another request: answer as a repeat of that one.
            DeliveryStore.KeyedCreation creation = deliveries.create(created, marker.get());
            if (creation instanceof DeliveryStore.KeyedCreation.Taken taken) {
                return answerFor(taken.holder(), requestHash);
            }
            if (creation instanceof DeliveryStore.KeyedCreation.Contended) {
                throw ConflictException.retryLater(IN_FLIGHT_RETRY_AFTER, "problem.idempotency.in-flight");
            }
        } else if (!deliveries.create(created, Optional.empty())) {
            throw new ConflictException("problem.concurrent-change");
        }
        LOG.infof("delivery %s accepted for user %s on %s, %d recipients", deliveryId, userId, channel,
                created.recipients().size());
        try {
            return marker.isPresent() ? attempts.attempt(created, settings, marker.get())
                    : attempts.attempt(created, settings, false);
        } catch (ConflictException lostRace) {
            return deliveries.find(deliveryId).orElseThrow(() -> lostRace);
        }
    }

    /**
     * Tries a FAILED delivery again at once, on the user's channel as it is now (after they fixed it).
     *
     * @throws ConflictException unless the delivery is FAILED and still has its content
     */
    public Delivery retry(String userId, String deliveryId) {
        Delivery failed = find(userId, deliveryId);
        if (failed.status() != DeliveryStatus.FAILED) {
            throw new ConflictException("problem.delivery.not-failed", failed.status().name());
        }
        if (!failed.hasContent()) {
            throw new ConflictException("problem.delivery.content-expired");
        }
        Delivery leased = failed.leased(clock.instant().plus(SEND_LEASE));
        if (!deliveries.update(leased, failed.version(), List.of())) {
            throw new ConflictException("problem.delivery.concurrent-attempt");
        }
        LOG.infof("delivery %s retried by hand by user %s", deliveryId, userId);
        try {
            return attempts.attempt(leased, true);
        } catch (ConflictException lostRace) {
            return deliveries.find(deliveryId).orElseThrow(() -> lostRace);
        }
    }

    /** A delivery of the user's; another user's is reported as absent. */
    public Delivery find(String userId, String deliveryId) {
        return Optional.ofNullable(deliveryId).filter(SortableId::isWellFormed)
                .flatMap(deliveries::find)
                .filter(delivery -> delivery.userId().equals(userId))
                .orElseThrow(() -> new NotFoundException("problem.delivery.not-found"));
    }

    /** What a request answers when its {@code Idempotency-Key} is held by {@code marker}. */
    private Delivery answerFor(IdempotencyMarker marker, String requestHash) {
        if (!marker.requestHash().equals(requestHash)) {
            throw new InvalidInputException(FieldError.of("Idempotency-Key", "field.idempotency-key-reused"));
        }
        Optional<Delivery> first = marker.firstAnswer();
        if (first.isPresent()) {
            return first.get();
        }
        Instant now = clock.instant();
        if (marker.inFlightAt(now)) {
            Duration left = Duration.between(now, marker.inFlightUntil());
            Duration retryAfter = left.compareTo(IN_FLIGHT_RETRY_AFTER) < 0 ? left : IN_FLIGHT_RETRY_AFTER;
            throw ConflictException.retryLater(retryAfter, "problem.idempotency.in-flight");
        }
        // The first request ended without recording an answer (its process died, or its last write failed): no
        // answer reached its caller, and the delivery as it stands is the truth (the sweep sends it after its
        // lease).
        return deliveries.find(marker.deliveryId())
                .orElseThrow(() -> new NotFoundException("problem.delivery.not-found"));
    }

    /** The identity the message is sent as: the one asked for, else the user's default. */
    private static String identityId(ChannelSettings settings, SendRequest request) {
        if (request.identityId() != null) {
            return request.identityId();
        }
        if (settings.defaultIdentityId() == null) {
            throw new ConflictException("problem.identity.none");
        }
        return settings.defaultIdentityId();
    }

    private static Identity identity(SenderLookup.Sender sender, SendRequest request) {
        if (request.identityId() != null) {
            return sender.identity().orElseThrow(() -> new InvalidInputException(
                    FieldError.of("identityId", "field.identity-unknown")));
        }
        return sender.identity().orElseThrow(() -> new ConflictException("problem.identity.none"));
    }

    /** Whose address recipients see: the identity's, or on Gmail the connected account's (CONTRACT §1). */
    private static String fromAddress(ChannelSettings settings, Identity identity) {
        switch (settings.active()) {
            case GMAIL -> {
                if (settings.gmail() == null) {
                    throw new ConflictException("problem.gmail.not-connected");
                }
                if (settings.gmail().status() == GmailStatus.RECONNECT_REQUIRED) {
                    throw new ConflictException("problem.gmail.reconnect-required");
                }
                return settings.gmail().address();
            }
            case SMTP -> {
                if (settings.smtp() == null) {
                    throw new ConflictException("problem.smtp.not-configured");
                }
                return identity.address();
            }
            default -> {
                return identity.address();
            }
        }
    }

    private static List<String> recipients(SendRequest request) {
        List<String> all = new ArrayList<>(request.to());
        all.addAll(request.cc());
        all.addAll(request.bcc());
        return all;
    }

    private static void refuseSuppressed(SendRequest request, Set<String> suppressed) {
        if (suppressed.isEmpty()) {
            return;
        }
        List<FieldError> errors = new ArrayList<>();
        index("to", request.to(), suppressed, errors);
        index("cc", request.cc(), suppressed, errors);
        index("bcc", request.bcc(), suppressed, errors);
        throw new InvalidInputException(errors);
    }

    private static void index(String field, List<String> addresses, Set<String> suppressed, List<FieldError> errors) {
        for (int i = 0; i < addresses.size(); i++) {
            if (suppressed.contains(addresses.get(i))) {
                errors.add(FieldError.of(field + "[" + i + "]", "field.suppressed", addresses.get(i)));
            }
        }
    }

    private static void checkKey(String key) {
        if (!KEY.matcher(key).matches()) {
            throw new InvalidInputException(FieldError.of("Idempotency-Key", "field.idempotency-key"));
        }
    }

    /** A digest of everything the request asks, so the same key with another body is told apart. */
    static String hash(SendRequest request) {
        String canonical = String.join("\u0000", String.valueOf(request.identityId()), String.join("\u0001", request.to()),
                String.join("\u0001", request.cc()), String.join("\u0001", request.bcc()),
                String.valueOf(request.replyTo()), String.valueOf(request.subject()), String.valueOf(request.text()),
                String.valueOf(request.html()), String.valueOf(request.conversationId()));
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                    .digest(canonical.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
