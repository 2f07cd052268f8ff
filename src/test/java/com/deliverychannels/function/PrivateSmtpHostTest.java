package com.deliverychannels.function;

import static com.deliverychannels.function.ChannelSettingsTest.PASSWORD;
import static com.deliverychannels.function.ChannelSettingsTest.fields;
import static com.deliverychannels.function.ChannelSettingsTest.smtp;
import static com.deliverychannels.function.ChannelsRoutingTest.assertProblem;
import static com.deliverychannels.function.StoredItems.itemsOf;
import static com.deliverychannels.function.StoredItems.newUser;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Set;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.deliverychannels.testing.ApiEvents;
import com.deliverychannels.testing.ApiEvents.ApiAnswer;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * The SSRF guard as it runs in AWS ({@code SMTP_ALLOW_PRIVATE_HOSTS} false): a user's SMTP host cannot point the
 * function at loopback, our private network or the instance metadata service.
 */
@QuarkusTest
@TestProfile(PrivateSmtpHostTest.PrivateHostsRefused.class)
class PrivateSmtpHostTest {

    /** The production setting; the test profile otherwise allows loopback for the embedded SMTP servers. */
    public static class PrivateHostsRefused implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("smtp.allow-private-hosts", "false", "%test.smtp.allow-private-hosts", "false");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"127.0.0.1", "10.0.0.5", "169.254.169.254", "[::1]", "::1", "localhost",
            "LOCALHOST.", "mail.localhost", "192.168.1.10", "172.16.0.1", "100.64.0.1", "0.0.0.0", "fd00:ec2::254",
            "[fd00:ec2::254]", "::ffff:127.0.0.1", "fe80::1"})
    void privateOrMetadataHostIsRefusedAndNothingIsWritten(String host) {
        String user = newUser();

        ApiAnswer answer = ApiEvents.put("/v1/channel/smtp", smtp(host, "bob", PASSWORD)).as(user).send();

        assertProblem(answer, 422, "invalid-fields");
        assertEquals(Set.of("host"), fields(answer), answer.rawBody());
        assertFalse(answer.rawBody().contains(PASSWORD));
        assertTrue(itemsOf(user).isEmpty(), "nothing may be stored for a refused host");
    }

    @Test
    void privateHostIsRefusedInTheCallersLanguage() {
        ApiAnswer answer = ApiEvents.put("/v1/channel/smtp", smtp("10.0.0.5", "bob", PASSWORD)).as(newUser())
                .header("accept-language", "it").send();

        assertProblem(answer, 422, "invalid-fields");
        assertEquals("it", answer.header("content-language"));
        assertEquals("Campi non validi", answer.body().get("title").asText());
    }

    @ParameterizedTest
    @ValueSource(strings = {"smtp.example.com", "8.8.8.8", "2001:4860:4860::8888"})
    void publicNameOrAddressIsSaved(String host) {
        String user = newUser();

        ApiAnswer answer = ApiEvents.put("/v1/channel/smtp", smtp(host, "bob", PASSWORD)).as(user).send();

        assertEquals(200, answer.status(), answer.rawBody());
        assertEquals(host, answer.body().get("smtp").get("host").asText());
        assertEquals(1, itemsOf(user).size());
    }
}
