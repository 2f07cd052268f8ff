package com.deliverychannels.function;

import static com.deliverychannels.function.ChannelSettingsTest.fields;
import static com.deliverychannels.function.ChannelsRoutingTest.assertProblem;
import static com.deliverychannels.function.StoredItems.itemsOf;
import static com.deliverychannels.function.StoredItems.json;
import static com.deliverychannels.function.StoredItems.newUser;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import com.deliverychannels.testing.ApiEvents;
import com.deliverychannels.testing.ApiEvents.ApiAnswer;
import com.fasterxml.jackson.databind.JsonNode;

import io.quarkus.test.junit.QuarkusTest;

/** A user's sending identities: exactly one default once any exists, addresses valid and distinct. */
@QuarkusTest
class IdentitiesTest {

    @Test
    void firstIdentityBecomesDefaultWhateverWasAsked() {
        String user = newUser();

        ApiAnswer answer = create(user, "Bob", "bob@example.com", false);

        assertEquals(201, answer.status(), answer.rawBody());
        JsonNode identity = answer.body();
        assertFalse(identity.get("id").asText().isBlank());
        assertEquals("Bob", identity.get("name").asText());
        assertEquals("bob@example.com", identity.get("address").asText());
        assertTrue(identity.get("default").asBoolean());
    }

    @Test
    void secondIdentityAskedAsDefaultTakesOverTheDefault() {
        String user = newUser();
        String first = id(create(user, "Bob", "bob@example.com", null));

        ApiAnswer second = create(user, "Bob (sales)", "sales@example.com", true);

        assertEquals(201, second.status(), second.rawBody());
        assertTrue(second.body().get("default").asBoolean());
        JsonNode items = list(user);
        assertEquals(first, items.get(0).get("id").asText());
        assertFalse(items.get(0).get("default").asBoolean());
        assertTrue(items.get(1).get("default").asBoolean());
    }

    @Test
    void secondIdentityNotAskedAsDefaultLeavesTheDefault() {
        String user = newUser();
        create(user, "Bob", "bob@example.com", null);

        ApiAnswer second = create(user, "Bob (sales)", "sales@example.com", null);

        assertFalse(second.body().get("default").asBoolean());
        assertTrue(list(user).get(0).get("default").asBoolean());
    }

    @Test
    void listIsOldestFirstWithExactlyOneDefault() {
        String user = newUser();
        List<String> ids = new ArrayList<>();
        for (int i = 1; i <= 4; i++) {
            ids.add(id(create(user, "Bob " + i, "bob" + i + "@example.com", i == 3)));
        }

        ApiAnswer answer = ApiEvents.get("/v1/identities").as(user).send();

        assertEquals(200, answer.status(), answer.rawBody());
        JsonNode items = answer.body().get("items");
        List<String> listed = new ArrayList<>();
        int defaults = 0;
        for (JsonNode item : items) {
            listed.add(item.get("id").asText());
            defaults += item.get("default").asBoolean() ? 1 : 0;
        }
        assertEquals(ids, listed);
        assertEquals(1, defaults);
        assertTrue(items.get(2).get("default").asBoolean());
        assertEquals("Bob 3", items.get(2).get("name").asText());
    }

    @Test
    void newUserHasNoIdentities() {
        ApiAnswer answer = ApiEvents.get("/v1/identities").as(newUser()).send();

        assertEquals(200, answer.status());
        assertTrue(answer.body().get("items").isArray());
        assertTrue(answer.body().get("items").isEmpty());
    }

    @Test
    void updateChangesNameAndAddress() {
        String user = newUser();
        String id = id(create(user, "Bob", "bob@example.com", null));

        ApiAnswer answer = update(user, id, "Robert Smith", "robert@example.org", null);

        assertEquals(200, answer.status(), answer.rawBody());
        assertEquals(id, answer.body().get("id").asText());
        assertEquals("Robert Smith", answer.body().get("name").asText());
        assertEquals("robert@example.org", answer.body().get("address").asText());
        assertTrue(answer.body().get("default").asBoolean());
        JsonNode listed = list(user).get(0);
        assertEquals("Robert Smith", listed.get("name").asText());
        assertEquals("robert@example.org", listed.get("address").asText());
    }

    @Test
    void updateCanMakeAnotherIdentityTheDefault() {
        String user = newUser();
        create(user, "Bob", "bob@example.com", null);
        String second = id(create(user, "Sales", "sales@example.com", null));

        ApiAnswer answer = update(user, second, "Sales", "sales@example.com", true);

        assertTrue(answer.body().get("default").asBoolean());
        JsonNode items = list(user);
        assertFalse(items.get(0).get("default").asBoolean());
        assertTrue(items.get(1).get("default").asBoolean());
    }

    @Test
    void unsettingTheOnlyDefaultIsAConflict() {
        String user = newUser();
        String id = id(create(user, "Bob", "bob@example.com", null));

        ApiAnswer answer = update(user, id, "Bobby", "bob@example.com", false);

        assertProblem(answer, 409, "conflict");
        JsonNode listed = list(user).get(0);
        assertEquals("Bob", listed.get("name").asText(), "a refused update changes nothing");
        assertTrue(listed.get("default").asBoolean());
    }

    @Test
    void duplicateAddressIsAConflictWhateverTheDomainCase() {
        String user = newUser();
        create(user, "Bob", "bob@example.com", null);

        ApiAnswer answer = create(user, "Bob again", "bob@EXAMPLE.Com", true);

        assertProblem(answer, 409, "conflict");
        assertTrue(answer.body().get("detail").asText().contains("bob@EXAMPLE.Com"), answer.rawBody());
        JsonNode items = list(user);
        assertEquals(1, items.size());
        assertTrue(items.get(0).get("default").asBoolean());
    }

    @Test
    void localPartCaseMakesADifferentAddress() {
        String user = newUser();
        create(user, "Bob", "bob@example.com", null);

        ApiAnswer answer = create(user, "BOB", "BOB@example.com", null);

        assertEquals(201, answer.status(), answer.rawBody());
    }

    @Test
    void updatingToAnotherIdentitysAddressIsAConflict() {
        String user = newUser();
        create(user, "Bob", "bob@example.com", null);
        String second = id(create(user, "Sales", "sales@example.com", null));

        ApiAnswer answer = update(user, second, "Sales", "bob@Example.COM", null);

        assertProblem(answer, 409, "conflict");
        assertEquals("sales@example.com", list(user).get(1).get("address").asText());
    }

    @Test
    void updatingAnIdentityToItsOwnAddressIsFine() {
        String user = newUser();
        String id = id(create(user, "Bob", "bob@example.com", null));

        ApiAnswer answer = update(user, id, "Bob Rossi", "bob@EXAMPLE.com", null);

        assertEquals(200, answer.status(), answer.rawBody());
    }

    @ParameterizedTest
    @ValueSource(strings = {"not-an-address", "a@b", "\"x\"@", "bob @example.com", "@example.com",
            "bob@-example.com", "bob@example.123"})
    void invalidAddressIsRefusedNamingAddress(String address) {
        String user = newUser();

        ApiAnswer answer = create(user, "Bob", address, null);

        assertProblem(answer, 422, "invalid-fields");
        assertEquals(Set.of("address"), fields(answer), answer.rawBody());
        assertTrue(itemsOf(user).isEmpty());
    }

    @ParameterizedTest
    @ValueSource(strings = {"bob@example.com", "bob.smith+sales@mail.example.co.uk", "\"bob smith\"@example.com",
            "o'brien@example.ie"})
    void validAddressIsAccepted(String address) {
        ApiAnswer answer = create(newUser(), "Bob", address, null);

        assertEquals(201, answer.status(), answer.rawBody());
        assertEquals(address, answer.body().get("address").asText());
    }

    @Test
    void missingNameIsRefused() {
        String user = newUser();

        ApiAnswer answer = ApiEvents.post("/v1/identities", json("address", "bob@example.com")).as(user).send();

        assertProblem(answer, 422, "invalid-fields");
        assertEquals(Set.of("name"), fields(answer));
        assertTrue(itemsOf(user).isEmpty());
    }

    @Test
    void missingNameAndAddressAreBothNamed() {
        ApiAnswer answer = ApiEvents.post("/v1/identities", "{}").as(newUser()).send();

        assertProblem(answer, 422, "invalid-fields");
        assertEquals(Set.of("name", "address"), fields(answer));
    }

    @Test
    void nameOfAHundredCharactersIsAcceptedAndOneMoreIsRefused() {
        String user = newUser();

        assertEquals(201, create(user, "n".repeat(100), "bob@example.com", null).status());
        ApiAnswer tooLong = create(user, "n".repeat(101), "sales@example.com", null);

        assertProblem(tooLong, 422, "invalid-fields");
        assertEquals(Set.of("name"), fields(tooLong));
        assertEquals(1, list(user).size());
    }

    /** The name and the address go into the From header: a control character in either is header injection. */
    @ParameterizedTest(name = "{0} U+{1}")
    @MethodSource("controlCharacters")
    void controlCharacterInNameOrAddressIsRefusedAsHeaderInjection(String field, String code) {
        String user = newUser();
        String c = String.valueOf((char) Integer.parseInt(code, 16));
        String name = field.equals("name") ? "Bob" + c + "Bcc: all@example.com" : "Bob";
        String address = field.equals("address") ? "bob@example.com" + c : "bob@example.com";

        ApiAnswer answer = create(user, name, address, null);

        assertProblem(answer, 400, "bad-request");
        assertEquals(Set.of(field), fields(answer), answer.rawBody());
        assertTrue(itemsOf(user).isEmpty(), "nothing written");
    }

    static Stream<Arguments> controlCharacters() {
        return Stream.of("000D", "000A", "0000", "0001", "001B", "007F", "0085", "009B", "2028", "2029")
                .flatMap(code -> Stream.of("name", "address").map(field -> Arguments.of(field, code)));
    }

    @Test
    void controlCharacterInAnUpdateIsRefusedAndChangesNothing() {
        String user = newUser();
        String id = id(create(user, "Bob", "bob@example.com", null));

        ApiAnswer answer = update(user, id, "Bob\u0000Rossi", "bob@example.com", null);

        assertProblem(answer, 400, "bad-request");
        assertEquals(Set.of("name"), fields(answer));
        assertEquals("Bob", list(user).get(0).get("name").asText());
    }

    @Test
    void aTabInANameIsWhiteSpace() {
        ApiAnswer answer = create(newUser(), "Bob\tRossi", "bob@example.com", null);

        assertEquals(201, answer.status(), answer.rawBody());
    }

    @Test
    void deletingTheDefaultPromotesTheOldestRemaining() {
        String user = newUser();
        String oldest = id(create(user, "A", "a@example.com", null));
        create(user, "B", "b@example.com", null);
        String newest = id(create(user, "C", "c@example.com", true));

        ApiAnswer deleted = ApiEvents.delete("/v1/identities/" + newest).as(user).send();

        assertEquals(204, deleted.status(), deleted.rawBody());
        JsonNode items = list(user);
        assertEquals(2, items.size());
        assertEquals(oldest, items.get(0).get("id").asText());
        assertTrue(items.get(0).get("default").asBoolean());
        assertFalse(items.get(1).get("default").asBoolean());
    }

    @Test
    void deletingANonDefaultKeepsTheDefault() {
        String user = newUser();
        String first = id(create(user, "A", "a@example.com", null));
        String second = id(create(user, "B", "b@example.com", null));

        assertEquals(204, ApiEvents.delete("/v1/identities/" + second).as(user).send().status());

        JsonNode items = list(user);
        assertEquals(1, items.size());
        assertEquals(first, items.get(0).get("id").asText());
        assertTrue(items.get(0).get("default").asBoolean());
    }

    @Test
    void deletingTheLastIdentityLeavesNone() {
        String user = newUser();
        String id = id(create(user, "A", "a@example.com", null));

        assertEquals(204, ApiEvents.delete("/v1/identities/" + id).as(user).send().status());

        assertTrue(list(user).isEmpty());
        JsonNode view = ApiEvents.get("/v1/channel").as(user).send().body();
        assertTrue(view.get("preview").path("identityAddress").isNull());
        assertTrue(create(user, "B", "b@example.com", false).body().get("default").asBoolean(),
                "a new first identity is the default again");
    }

    @Test
    void deletingAnUnknownIdentityAnswers404() {
        String user = newUser();

        assertProblem(ApiEvents.delete("/v1/identities/01JDZQ7Y6M3V8X2K9T4N5P6R7S").as(user).send(), 404, "not-found");
        assertProblem(ApiEvents.delete("/v1/identities/nonsense").as(user).send(), 404, "not-found");
        assertTrue(itemsOf(user).isEmpty());
    }

    @Test
    void updatingAnUnknownIdentityAnswers404() {
        String user = newUser();

        ApiAnswer answer = update(user, "01JDZQ7Y6M3V8X2K9T4N5P6R7S", "Bob", "bob@example.com", null);

        assertProblem(answer, 404, "not-found");
        assertTrue(itemsOf(user).isEmpty());
    }

    @Test
    void deletingTwiceAnswers404TheSecondTime() {
        String user = newUser();
        create(user, "A", "a@example.com", null);
        String id = id(create(user, "B", "b@example.com", null));

        assertEquals(204, ApiEvents.delete("/v1/identities/" + id).as(user).send().status());
        assertProblem(ApiEvents.delete("/v1/identities/" + id).as(user).send(), 404, "not-found");
    }

    @Test
    void anotherUsersIdentityIsNotFoundAndUnchanged() {
        String owner = newUser();
        String intruder = newUser();
        String id = id(create(owner, "Bob", "bob@example.com", null));

        ApiAnswer put = update(intruder, id, "Mallory", "mallory@example.com", true);
        ApiAnswer delete = ApiEvents.delete("/v1/identities/" + id).as(intruder).send();

        assertProblem(put, 404, "not-found");
        assertProblem(delete, 404, "not-found");
        assertEquals(ApiEvents.delete("/v1/identities/01JDZQ7Y6M3V8X2K9T4N5P6R7S").as(intruder).send().body()
                .get("detail"), delete.body().get("detail"), "another user's identity reads like one that never existed");
        JsonNode items = list(owner);
        assertEquals(1, items.size());
        assertEquals("Bob", items.get(0).get("name").asText());
        assertEquals("bob@example.com", items.get(0).get("address").asText());
        assertTrue(items.get(0).get("default").asBoolean());
        assertTrue(list(intruder).isEmpty());
        assertTrue(itemsOf(intruder).isEmpty());
    }

    @Test
    void idInRequestBodyIsAnUnknownField() {
        String user = newUser();
        String body = json("id", "01JDZQ7Y6M3V8X2K9T4N5P6R7S", "name", "Bob", "address", "bob@example.com");

        ApiAnswer answer = ApiEvents.post("/v1/identities", body).as(user).send();

        assertProblem(answer, 400, "bad-request");
        assertEquals("id", answer.body().get("errors").get(0).get("field").asText());
        assertTrue(itemsOf(user).isEmpty());
    }

    @Test
    void defaultOfWrongTypeIsRefused() {
        ApiAnswer answer = ApiEvents.post("/v1/identities",
                json("name", "Bob", "address", "bob@example.com", "default", "true")).as(newUser()).send();

        assertProblem(answer, 400, "bad-request");
        assertEquals("default", answer.body().get("errors").get(0).get("field").asText());
    }

    @Test
    void previewShowsTheDefaultIdentitysAddress() {
        String user = newUser();
        String first = id(create(user, "Bob", "bob@example.com", null));
        assertEquals("bob@example.com", identityAddress(user));
        assertFalse(ChannelSettingsTest.notes(ApiEvents.get("/v1/channel").as(user).send().body())
                .contains("Add an identity"));

        String second = id(create(user, "Sales", "sales@example.com", true));
        assertEquals("sales@example.com", identityAddress(user));

        update(user, first, "Bob", "bob@example.com", true);
        assertEquals("bob@example.com", identityAddress(user));

        update(user, first, "Bob", "robert@example.com", null);
        assertEquals("robert@example.com", identityAddress(user));

        ApiEvents.delete("/v1/identities/" + first).as(user).send();
        assertEquals("sales@example.com", identityAddress(user));

        ApiEvents.delete("/v1/identities/" + second).as(user).send();
        assertEquals(null, identityAddress(user));
    }

    @Test
    void atMostFiftyIdentities() {
        String user = newUser();
        for (int i = 0; i < 50; i++) {
            ApiAnswer created = create(user, "Alias " + i, "alias" + i + "@example.com", null);
            assertEquals(201, created.status(), created.rawBody());
        }

        ApiAnswer answer = create(user, "One too many", "alias50@example.com", true);

        assertProblem(answer, 409, "conflict");
        assertTrue(answer.body().get("detail").asText().contains("50"), answer.rawBody());
        JsonNode items = list(user);
        assertEquals(50, items.size());
        assertTrue(items.get(0).get("default").asBoolean());
    }

    private static ApiAnswer create(String user, String name, String address, Boolean isDefault) {
        String body = isDefault == null ? json("name", name, "address", address)
                : json("name", name, "address", address, "default", isDefault);
        return ApiEvents.post("/v1/identities", body).as(user).send();
    }

    private static ApiAnswer update(String user, String id, String name, String address, Boolean isDefault) {
        String body = isDefault == null ? json("name", name, "address", address)
                : json("name", name, "address", address, "default", isDefault);
        return ApiEvents.put("/v1/identities/" + id, body).as(user).send();
    }

    private static String id(ApiAnswer created) {
        assertEquals(201, created.status(), created.rawBody());
        return created.body().get("id").asText();
    }

    private static JsonNode list(String user) {
        ApiAnswer answer = ApiEvents.get("/v1/identities").as(user).send();
        assertEquals(200, answer.status(), answer.rawBody());
        return answer.body().get("items");
    }

    private static String identityAddress(String user) {
        JsonNode address = ApiEvents.get("/v1/channel").as(user).send().body().get("preview").get("identityAddress");
        return address.isNull() ? null : address.asText();
    }
}
