package com.deliverychannels.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

import com.deliverychannels.testing.ApiEvents;
import com.deliverychannels.testing.ApiEvents.ApiAnswer;
import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class ChannelOptionsTest {

    @Test
    void listsTheThreeChannelsWithMscAsDefault() {
        ApiAnswer answer = ApiEvents.get("/v1/channels").send();

        assertEquals(200, answer.status());
        JsonNode channels = answer.body().get("channels");
        assertEquals(3, channels.size());
        assertEquals("MSC", channels.get(0).get("type").asText());
        assertTrue(channels.get(0).get("default").asBoolean());
        assertTrue(channels.get(0).get("viaTag").asBoolean());
        assertTrue(channels.get(0).get("bounceTracking").asBoolean());
        assertFalse(channels.get(1).get("bounceTracking").asBoolean());
        assertEquals("CONNECTED_ACCOUNT", channels.get(1).get("from").asText());
    }
}
