package com.deliverychannels.function;

import java.util.ArrayList;
import java.util.List;

import com.deliverychannels.testing.ApiEvents;
import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.arc.Arc;
import com.deliverychannels.channel.IdentityChange;
import com.deliverychannels.channel.IdentityService;

/** Set-up that the send tests share: identities written through the real service. */
final class SendFixtures {
    private SendFixtures() {
    }

    /** Creates an identity for {@code user} (the first becomes the default) and answers its id. */
    static String identity(String user, String name, String address) {
        IdentityService identities = Arc.container().instance(IdentityService.class).get();
        return identities.create(user, new IdentityChange(name, address, null)).identity().id();
    }

    static List<String> eventTypes(JsonNode delivery) {
        List<String> types = new ArrayList<>();
        delivery.get("events").forEach(e -> types.add(e.get("type").asText()));
        return types;
    }

    static ApiEvents.ApiAnswer send(String user, String body) {
        return ApiEvents.post("/v1/messages", body).as(user).send();
    }
}
