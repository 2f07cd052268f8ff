package com.deliverychannels.channel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullAndEmptySource;
import org.junit.jupiter.params.provider.ValueSource;

import com.deliverychannels.channel.ChannelType.FromSource;

class ChannelTypeTest {

    /** CONTRACT §1, one row per channel. */
    @ParameterizedTest
    @CsvSource({
            // channel, from,             viaTag, sentFolderCopy, bounceTracking, sendFailureTracking, allowListable
            "MSC,   IDENTITY,          true,  false, true,  true, false",
            "GMAIL, CONNECTED_ACCOUNT, false, true,  false, true, true",
            "SMTP,  IDENTITY,          false, false, false, true, true",
    })
    void channelFactsMatchTheContract(ChannelType channel, FromSource from, boolean viaTag, boolean sentFolderCopy,
            boolean bounceTracking, boolean sendFailureTracking, boolean allowListable) {
        assertEquals(from, channel.from(), "from");
        assertEquals(viaTag, channel.viaTag(), "viaTag");
        assertEquals(sentFolderCopy, channel.sentFolderCopy(), "sentFolderCopy");
        assertEquals(bounceTracking, channel.bounceTracking(), "bounceTracking");
        assertEquals(sendFailureTracking, channel.sendFailureTracking(), "sendFailureTracking");
        assertEquals(allowListable, channel.allowListable(), "allowListable");
    }

    @Test
    void thereAreExactlyTheThreeChannelsInContractOrder() {
        assertEquals(List.of(ChannelType.MSC, ChannelType.GMAIL, ChannelType.SMTP), List.of(ChannelType.values()));
    }

    @Test
    void defaultIsOurMailServers() {
        assertEquals(ChannelType.MSC, ChannelType.DEFAULT);
        assertEquals(ChannelType.MSC, ChannelSettings.initial().active());
    }

    @ParameterizedTest
    @CsvSource({"MSC, MSC", "GMAIL, GMAIL", "SMTP, SMTP"})
    void parsesChannelNames(String value, ChannelType expected) {
        assertEquals(Optional.of(expected), ChannelType.parse(value));
    }

    @ParameterizedTest
    @NullAndEmptySource
    @ValueSource(strings = {"msc", "Gmail", "smtp", " MSC", "MSC ", "EXCHANGE", "DEFAULT", "OUTLOOK", "0", "MSC,SMTP"})
    void refusesAnythingElse(String value) {
        assertEquals(Optional.empty(), ChannelType.parse(value));
    }
}
