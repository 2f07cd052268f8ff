package com.deliverychannels.function;

import static com.deliverychannels.function.ChannelSettingsTest.fields;
import static com.deliverychannels.function.ChannelsRoutingTest.assertProblem;
import static com.deliverychannels.function.StoredItems.newUser;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.deliverychannels.bounce.FailedDelivery;
import com.deliverychannels.bounce.FailedDeliveryStore;
import com.deliverychannels.bounce.FailureReason;
import com.deliverychannels.bounce.RetryState;
import com.deliverychannels.channel.ChannelType;
import com.deliverychannels.core.SortableId;
import com.deliverychannels.testing.ApiEvents;
import com.deliverychannels.testing.ApiEvents.ApiAnswer;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.quarkus.test.junit.QuarkusTest;

/** The failed-delivery list: newest first, paged by cursor, dismissible, private to its user. */
@QuarkusTest
class FailedDeliveriesTest {
    private static final Instant START = Instant.parse("2026-11-20T09:00:00Z");

    @Inject
    FailedDeliveryStore store;

    @Test
    void newUserHasAnEmptyList() throws Exception {
        ApiAnswer answer = ApiEvents.get("/v1/failed-deliveries").as(newUser()).send();

        assertEquals(200, answer.status(), answer.rawBody());
        assertEquals(new ObjectMapper().readTree("{\"items\":[],\"nextCursor\":null}"), answer.body());
    }

    @Test
    void listsNewestFirstWithEveryField() {
        String user = newUser();
        FailedDelivery older = bounce(START);
        FailedDelivery newer = sendFailed(START.plusSeconds(60));
        store.record(user, older);
        store.record(user, newer);

        ApiAnswer answer = ApiEvents.get("/v1/failed-deliveries").as(user).send();

        assertEquals(200, answer.status(), answer.rawBody());
        JsonNode items = answer.body().get("items");
        assertEquals(2, items.size());
        assertEquals(newer.id(), items.get(0).get("id").asText());
        assertEquals(older.id(), items.get(1).get("id").asText());
        assertTrue(answer.body().path("nextCursor").isNull());

        JsonNode b = items.get(1);
        assertEquals(older.deliveryId(), b.get("deliveryId").asText());
        assertEquals("carol@example.net", b.get("recipient").asText());
        assertEquals("Quarterly pricing", b.get("subject").asText());
        assertEquals("MSC", b.get("channel").asText());
        assertEquals("BOUNCE", b.get("reason").asText());
        assertEquals("Permanent", b.get("bounceType").asText());
        assertEquals("NoEmail", b.get("bounceSubType").asText());
        assertEquals("smtp; 550 5.1.1 user unknown", b.get("diagnostic").asText());
        assertEquals(START, Instant.parse(b.get("occurredAt").asText()));
        assertEquals("NOT_RETRYABLE", b.get("retry").get("state").asText());
        assertEquals(1, b.get("retry").get("attempts").asInt());

        JsonNode s = items.get(0);
        assertEquals("SEND_FAILED", s.get("reason").asText());
        assertEquals("SCHEDULED", s.get("retry").get("state").asText());
        assertEquals(START.plusSeconds(660), Instant.parse(s.get("retry").get("nextAttemptAt").asText()));
    }

    @Test
    void fieldsThatWereNotSetAreAbsentRatherThanNull() {
        String user = newUser();
        store.record(user, sendFailed(START));

        JsonNode item = ApiEvents.get("/v1/failed-deliveries").as(user).send().body().get("items").get(0);
        FailedDelivery exhausted = new FailedDelivery(SortableId.at(START.plusSeconds(5)), "delivery-2",
                "dave@example.net", "Follow-up", ChannelType.SMTP, FailureReason.SEND_FAILED, null, null, null,
                START.plusSeconds(5), new FailedDelivery.Retry(RetryState.EXHAUSTED, 6, null));
        store.record(user, exhausted);
        JsonNode newest = ApiEvents.get("/v1/failed-deliveries").as(user).send().body().get("items").get(0);

        for (String optional : List.of("bounceType", "bounceSubType", "diagnostic")) {
            assertFalse(newest.has(optional), optional + " should be absent: " + newest);
        }
        assertFalse(newest.get("retry").has("nextAttemptAt"), newest.toString());
        assertEquals("EXHAUSTED", newest.get("retry").get("state").asText());
        assertTrue(item.has("diagnostic"), "a diagnostic that was set is shown: " + item);
    }

    @Test
    void pagesThroughFiveRecordsTwoAtATimeWithoutGapsOrDuplicates() {
        String user = newUser();
        List<String> ids = seed(user, 5);
        List<String> newestFirst = new ArrayList<>(ids);
        Collections.reverse(newestFirst);

        List<List<String>> pages = new ArrayList<>();
        String cursor = null;
        do {
            JsonNode page = page(user, 2, cursor);
            pages.add(ids(page));
            cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asText();
            assertTrue(pages.size() <= 3, "more pages than records: " + pages);
        } while (cursor != null);

        assertEquals(List.of(newestFirst.subList(0, 2), newestFirst.subList(2, 4), newestFirst.subList(4, 5)), pages);
    }

    @Test
    void exactlyFullLastPageHasNoNextCursor() {
        String user = newUser();
        seed(user, 4);

        JsonNode first = page(user, 2, null);
        JsonNode second = page(user, 2, first.get("nextCursor").asText());

        assertEquals(2, ids(second).size());
        assertTrue(second.get("nextCursor").isNull(), second.toString());
    }

    @Test
    void recordArrivingWhilePagingDoesNotShiftLaterPages() {
        String user = newUser();
        List<String> ids = seed(user, 5);
        JsonNode first = page(user, 2, null);
        assertEquals(List.of(ids.get(4), ids.get(3)), ids(first));

        FailedDelivery late = bounce(START.plus(1, ChronoUnit.HOURS));
        store.record(user, late);
        JsonNode second = page(user, 2, first.get("nextCursor").asText());
        JsonNode third = page(user, 2, second.get("nextCursor").asText());

        assertEquals(List.of(ids.get(2), ids.get(1)), ids(second));
        assertEquals(List.of(ids.get(0)), ids(third));
        assertTrue(third.get("nextCursor").isNull());
        assertEquals(late.id(), ids(page(user, 2, null)).get(0), "a fresh read starts with the new record");
    }

    @Test
    void defaultPageHoldsFifty() {
        String user = newUser();
        seed(user, 51);

        JsonNode page = ApiEvents.get("/v1/failed-deliveries").as(user).send().body();

        assertEquals(50, page.get("items").size());
        assertFalse(page.get("nextCursor").isNull());
        assertEquals(1, page(user, 50, page.get("nextCursor").asText()).get("items").size());
    }

    @Test
    void limitOfAHundredIsAllowed() {
        String user = newUser();
        seed(user, 3);

        assertEquals(3, page(user, 100, null).get("items").size());
        assertEquals(1, page(user, 1, null).get("items").size());
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "101", "-1"})
    void limitOutsideOneToAHundredIsRefused(String limit) {
        ApiAnswer answer = ApiEvents.get("/v1/failed-deliveries?limit=" + limit).as(newUser()).send();

        assertProblem(answer, 422, "invalid-fields");
        assertEquals(Set.of("limit"), fields(answer));
    }

    @ParameterizedTest
    @ValueSource(strings = {"abc", "1.5", "99999999999"})
    void limitThatIsNoWholeNumberIsABadRequest(String limit) {
        ApiAnswer answer = ApiEvents.get("/v1/failed-deliveries?limit=" + limit).as(newUser()).send();

        assertProblem(answer, 400, "bad-request");
        assertEquals(Set.of("limit"), fields(answer));
    }

    @ParameterizedTest
    @ValueSource(strings = {"garbage!!", "abc", "Zm9vYmFy", "ZjE6bm90LWFuLWlk", " "})
    void cursorNotMadeByTheListIsRefused(String cursor) {
        String user = newUser();
        seed(user, 2);

        ApiAnswer answer = ApiEvents.get("/v1/failed-deliveries?limit=1&cursor="
                + URLEncoder.encode(cursor, StandardCharsets.UTF_8)).as(user).send();

        assertProblem(answer, 422, "invalid-fields");
        assertEquals(Set.of("cursor"), fields(answer));
    }

    @Test
    void dismissedRecordLeavesTheList() {
        String user = newUser();
        List<String> ids = seed(user, 3);

        ApiAnswer dismissed = ApiEvents.delete("/v1/failed-deliveries/" + ids.get(1)).as(user).send();

        assertEquals(204, dismissed.status(), dismissed.rawBody());
        assertEquals(List.of(ids.get(2), ids.get(0)), ids(page(user, 50, null)));
        assertProblem(ApiEvents.delete("/v1/failed-deliveries/" + ids.get(1)).as(user).send(), 404, "not-found");
    }

    @Test
    void dismissingUnknownOrMalformedIdAnswers404() {
        String user = newUser();

        assertProblem(ApiEvents.delete("/v1/failed-deliveries/" + SortableId.at(START)).as(user).send(), 404,
                "not-found");
        assertProblem(ApiEvents.delete("/v1/failed-deliveries/not-an-id").as(user).send(), 404, "not-found");
    }

    @Test
    void anotherUsersRecordCannotBeSeenOrDismissed() {
        String owner = newUser();
        String intruder = newUser();
        List<String> ids = seed(owner, 1);

        assertTrue(page(intruder, 50, null).get("items").isEmpty());
        ApiAnswer answer = ApiEvents.delete("/v1/failed-deliveries/" + ids.get(0)).as(intruder).send();

        assertProblem(answer, 404, "not-found");
        assertEquals(ids, ids(page(owner, 50, null)));
    }

    @Test
    void cursorOfOneUserShowsNothingOfAnother() {
        String owner = newUser();
        String intruder = newUser();
        seed(owner, 3);
        String cursor = page(owner, 1, null).get("nextCursor").asText();

        JsonNode page = page(intruder, 1, cursor);

        assertTrue(page.get("items").isEmpty(), page.toString());
    }

    @Test
    void recordingTheSameRecordTwiceListsItOnce() {
        String user = newUser();
        FailedDelivery failure = bounce(START);
        store.record(user, failure);
        store.record(user, failure);

        assertEquals(List.of(failure.id()), ids(page(user, 50, null)));
    }

    /** Records {@code count} failures a minute apart; answers their ids oldest first. */
    private List<String> seed(String user, int count) {
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            FailedDelivery failure = bounce(START.plus(i, ChronoUnit.MINUTES));
            store.record(user, failure);
            ids.add(failure.id());
        }
        assertEquals(count, new HashSet<>(ids).size());
        return ids;
    }

    private static FailedDelivery bounce(Instant at) {
        return new FailedDelivery(SortableId.at(at), "delivery-" + at.toEpochMilli(), "carol@example.net",
                "Quarterly pricing", ChannelType.MSC, FailureReason.BOUNCE, "Permanent", "NoEmail",
                "smtp; 550 5.1.1 user unknown", at, new FailedDelivery.Retry(RetryState.NOT_RETRYABLE, 1, null));
    }

    private static FailedDelivery sendFailed(Instant at) {
        return new FailedDelivery(SortableId.at(at), "delivery-" + at.toEpochMilli(), "dave@example.net",
                "Follow-up", ChannelType.SMTP, FailureReason.SEND_FAILED, null, null, "421 4.7.0 try again later", at,
                new FailedDelivery.Retry(RetryState.SCHEDULED, 2, at.plusSeconds(600)));
    }

    private static JsonNode page(String user, int limit, String cursor) {
        String query = "?limit=" + limit + (cursor == null ? "" : "&cursor=" + URLEncoder.encode(cursor,
                StandardCharsets.UTF_8));
        ApiAnswer answer = ApiEvents.get("/v1/failed-deliveries" + query).as(user).send();
        assertEquals(200, answer.status(), answer.rawBody());
        assertNotNull(answer.body().get("items"));
        assertTrue(answer.body().has("nextCursor"), answer.rawBody());
        return answer.body();
    }

    private static List<String> ids(JsonNode page) {
        List<String> ids = new ArrayList<>();
        page.get("items").forEach(item -> ids.add(item.get("id").asText()));
        return ids;
    }
}
