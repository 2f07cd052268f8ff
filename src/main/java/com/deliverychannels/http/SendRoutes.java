package com.deliverychannels.http;

import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import com.deliverychannels.delivery.Delivery;
import com.deliverychannels.delivery.SendRequest;
import com.deliverychannels.delivery.SendService;

/**
 * The {@code send} function's routes (CONTRACT §3): send a message, read a delivery, retry a failed one.
 */
@ApplicationScoped
public class SendRoutes {
    private final Router router;

    public SendRoutes(SendService sends, JsonBodies json) {
        this.router = Router.builder()
                .route("POST", "/v1/messages", r -> {
                    String user = r.user();
                    SendJson.MessageRequest body = json.read(r, SendJson.MessageRequest.class);
                    SendRequest request = new SendRequest(body.identityId(), body.to(), body.cc(), body.bcc(),
                            body.replyTo(), body.subject(), body.text(), body.html(), body.conversationId());
                    Optional<String> key = r.header("idempotency-key");
                    return ApiResponse.created(delivery(sends.send(user, request, key)));
                })
                .route("GET", "/v1/messages/{deliveryId}",
                        r -> ApiResponse.ok(delivery(sends.find(r.user(), r.pathParam("deliveryId")))))
                .route("POST", "/v1/messages/{deliveryId}/retry",
                        r -> ApiResponse.ok(delivery(sends.retry(r.user(), r.pathParam("deliveryId")))))
                .build();
    }

    /** The routes this function serves. */
    public Router router() {
        return router;
    }

    static SendJson.Delivery delivery(Delivery d) {
        return new SendJson.Delivery(d.deliveryId(), d.status().name(), d.channel().name(), d.fromAddress(), d.to(),
                d.subject(), d.viaTag(), d.bounceTracking(), d.attempts(), d.nextAttemptAt(), d.lastError(),
                d.events().stream().map(e -> new SendJson.Event(e.type(), e.at(), e.detail())).toList());
    }
}
