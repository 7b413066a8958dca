/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test_gw_call.c: the expected transcripts, each {gw call, ISDN network, SIP trunk}:
   the call machine's lines, then the Q.931 and the SIP each far end sent (>)
   and received (<). Each in parentheses: one string of many lines. */

static const char *const ok_isdn_sip_answered[3] = {
	("call 1 (no channel){NEW}: isdn-setup -> SIP-CALLING\n"
	"call 1 (span1/B5){SIP-CALLING}: SETUP from 030123 (national) to 30123456 (national) -> +4930123 to +4930123456\n"
	"call 1 (span1/B5){SIP-CALLING}: INVITE sip:+4930123456@127.0.0.1:PORT;user=phone via trunk phone (...)\n"
	"call 1 (span1/B5){SIP-CALLING}: sip-ringing -> SIP-ALERTING\n"
	"call 1 (span1/B5){SIP-ALERTING}: sip-answered -> ACTIVE\n"
	"call 1 (span1/B5){ACTIVE}: tdm-connect-ack\n"
	"call 1 (span1/B5){ACTIVE}: tdm-disconnected -> RELEASED\n"
	"call 1 (span1/B5){RELEASED}: ISDN cleared with cause 16 (normal call clearing)\n"
	"call 1 (span1/B5){RELEASED}: released, cause 16 (normal call clearing)\n"),
	("> SETUP B5 to 30123456 from 030123\n"
	"< CALL PROCEEDING\n"
	"< ALERTING\n"
	"< CONNECT\n"
	"> clear cause 16\n"
	"< RELEASE cause 16\n"),
	("< INVITE to +4930123456 from +4930123, SDP offer\n"
	"> 180\n"
	"> 200\n"
	"< ACK\n"
	"< BYE, Reason cause 16\n"),
};

static const char *const ok_isdn_sip_bye[3] = {
	("call 2 (no channel){NEW}: isdn-setup -> SIP-CALLING\n"
	"call 2 (span1/B6){SIP-CALLING}: SETUP from 030123 (national) to 30123456 (national) -> +4930123 to +4930123456\n"
	"call 2 (span1/B6){SIP-CALLING}: INVITE sip:+4930123456@127.0.0.1:PORT;user=phone via trunk phone (...)\n"
	"call 2 (span1/B6){SIP-CALLING}: sip-ringing -> SIP-ALERTING\n"
	"call 2 (span1/B6){SIP-ALERTING}: sip-answered -> ACTIVE\n"
	"call 2 (span1/B6){ACTIVE}: tdm-connect-ack\n"
	"call 2 (span1/B6){ACTIVE}: sip-terminated -> RELEASED\n"
	"call 2 (span1/B6){RELEASED}: SIP cleared -> cause 16 (normal call clearing)\n"
	"call 2 (span1/B6){RELEASED}: released, cause 16 (normal call clearing)\n"),
	("> SETUP B6 to 30123456 from 030123\n"
	"< CALL PROCEEDING\n"
	"< ALERTING\n"
	"< CONNECT\n"
	"< DISCONNECT cause 16\n"),
	("< INVITE to +4930123456 from +4930123, SDP offer\n"
	"> 180\n"
	"> 200\n"
	"< ACK\n"
	"> BYE cause 16\n"),
};

static const char *const ok_sip_isdn_answered[3] = {
	("call 3 (no channel){NEW}: sip-invite -> ISDN-CALLING\n"
	"call 3 (no channel){ISDN-CALLING}: INVITE from +4930123456 to +4930555 via trunk phone (...)\n"
	"call 3 (span1/B1){ISDN-CALLING}: SETUP to 30555 (national) from 30123456 on span1/B1\n"
	"call 3 (span1/B1){ISDN-CALLING}: tdm-proceeding\n"
	"call 3 (span1/B1){ISDN-CALLING}: tdm-alerting -> ISDN-ALERTING\n"
	"call 3 (span1/B1){ISDN-ALERTING}: tdm-connected -> ACTIVE\n"
	"call 3 (span1/B1){ACTIVE}: sip-confirmed\n"
	"call 3 (span1/B1){ACTIVE}: sip-terminated -> RELEASED\n"
	"call 3 (span1/B1){RELEASED}: SIP cleared -> cause 16 (normal call clearing)\n"
	"call 3 (span1/B1){RELEASED}: released, cause 16 (normal call clearing)\n"),
	("< SETUP B1 to 30555 from 30123456\n"
	"> CALL PROCEEDING, ALERTING\n"
	"> CONNECT\n"
	"< DISCONNECT cause 16\n"),
	("> INVITE to +4930555 from +4930123456\n"
	"< 180\n"
	"< 200 with SDP\n"
	"> BYE cause 16\n"),
};

static const char *const ok_busy[3] = {
	("call 4 (no channel){NEW}: isdn-setup -> SIP-CALLING\n"
	"call 4 (span1/B7){SIP-CALLING}: SETUP from 030123 (national) to 30123456 (national) -> +4930123 to +4930123456\n"
	"call 4 (span1/B7){SIP-CALLING}: INVITE sip:+4930123456@127.0.0.1:PORT;user=phone via trunk phone (...)\n"
	"call 4 (span1/B7){SIP-CALLING}: sip-failed -> RELEASED\n"
	"call 4 (span1/B7){RELEASED}: SIP 486 -> cause 17 (user busy)\n"
	"call 4 (span1/B7){RELEASED}: released, cause 17 (user busy)\n"),
	("> SETUP B7 to 30123456 from 030123\n"
	"< CALL PROCEEDING\n"
	"< DISCONNECT cause 17\n"),
	("< INVITE to +4930123456 from +4930123, SDP offer\n"
	"> 486\n"),
};

static const char *const ok_retry[3] = {
	("call 5 (no channel){NEW}: sip-invite -> ISDN-CALLING\n"
	"call 5 (no channel){ISDN-CALLING}: INVITE from +4930123456 to +4930555 via trunk phone (...)\n"
	"call 5 (span1/B1){ISDN-CALLING}: SETUP to 30555 (national) from 30123456 on span1/B1\n"
	"call 5 (span1/B1){ISDN-CALLING}: tdm-channel-refused\n"
	"call 5 (span1/B2){ISDN-CALLING}: cause 44 on the channel asked for: SETUP again on span1/B2\n"
	"call 5 (span1/B2){ISDN-CALLING}: tdm-proceeding\n"
	"call 5 (span1/B2){ISDN-CALLING}: tdm-alerting -> ISDN-ALERTING\n"
	"call 5 (span1/B2){ISDN-ALERTING}: tdm-disconnected -> RELEASED\n"
	"call 5 (span1/B2){RELEASED}: ISDN cleared with cause 17 (user busy)\n"
	"call 5 (span1/B2){RELEASED}: released, cause 17 (user busy)\n"),
	("< SETUP B1 to 30555 from 30123456\n"
	"> clear cause 44\n"
	"< SETUP B2 to 30555 from 30123456\n"
	"> CALL PROCEEDING, ALERTING\n"
	"> clear cause 17\n"
	"< RELEASE cause 17\n"),
	("> INVITE to +4930555 from +4930123456\n"
	"< 180\n"
	"< 486, Reason cause 17\n"),
};

static const char *const ok_no_answer[3] = {
	("call 6 (no channel){NEW}: sip-invite -> ISDN-CALLING\n"
	"call 6 (no channel){ISDN-CALLING}: INVITE from +4930123456 to +4930555 via trunk phone (...)\n"
	"call 6 (span1/B1){ISDN-CALLING}: SETUP to 30555 (national) from 30123456 on span1/B1\n"
	"call 6 (span1/B1){ISDN-CALLING}: tdm-proceeding\n"
	"call 6 (span1/B1){ISDN-CALLING}: tdm-alerting -> ISDN-ALERTING\n"
	"call 6 (span1/B1){ISDN-ALERTING}: timer no_answer_timeout expired\n"
	"call 6 (span1/B1){ISDN-ALERTING}: no-answer\n"
	"call 6 (span1/B1){ISDN-ALERTING}: failed: no answer timer expired after 1 s without CONNECT, cause 19\n"
	"call 6 (span1/B1){ISDN-ALERTING}: failure -> RELEASED\n"
	"call 6 (span1/B1){RELEASED}: released, cause 19 (no answer from user (user alerted))\n"),
	("< SETUP B1 to 30555 from 30123456\n"
	"> CALL PROCEEDING, ALERTING\n"
	"< DISCONNECT cause 19\n"),
	("> INVITE to +4930555 from +4930123456\n"
	"< 180\n"
	"< 480, Reason cause 19\n"),
};

static const char *const ok_timer_c[3] = {
	("call 7 (no channel){NEW}: isdn-setup -> SIP-CALLING\n"
	"call 7 (span1/B8){SIP-CALLING}: SETUP from 030123 (national) to 30123456 (national) -> +4930123 to +4930123456\n"
	"call 7 (span1/B8){SIP-CALLING}: INVITE sip:+4930123456@127.0.0.1:PORT;user=phone via trunk phone (...)\n"
	"call 7 (span1/B8){SIP-CALLING}: sip-ringing -> SIP-ALERTING\n"
	"call 7 (span1/B8){SIP-ALERTING}: sip-ringing\n"
	"call 7 (span1/B8){SIP-ALERTING}: timer sip_timer_c expired\n"
	"call 7 (span1/B8){SIP-ALERTING}: timer-c\n"
	"call 7 (span1/B8){SIP-ALERTING}: failed: Timer C (RFC 3261 section 16.6) expired after 1 s with only provisional responses, cause 19\n"
	"call 7 (span1/B8){SIP-ALERTING}: failure -> RELEASED\n"
	"call 7 (span1/B8){RELEASED}: released, cause 19 (no answer from user (user alerted))\n"),
	("> SETUP B8 to 30123456 from 030123\n"
	"< CALL PROCEEDING\n"
	"< ALERTING\n"
	"< DISCONNECT cause 19\n"),
	("< INVITE to +4930123456 from +4930123, SDP offer\n"
	"> 180\n"
	"> 180\n"
	"< CANCEL, Reason cause 19\n"),
};

static const char *const ok_rtp_timeout[3] = {
	("call 8 (no channel){NEW}: isdn-setup -> SIP-CALLING\n"
	"call 8 (span1/B9){SIP-CALLING}: SETUP from 030123 (national) to 30123456 (national) -> +4930123 to +4930123456\n"
	"call 8 (span1/B9){SIP-CALLING}: INVITE sip:+4930123456@127.0.0.1:PORT;user=phone via trunk phone (...)\n"
	"call 8 (span1/B9){SIP-CALLING}: sip-ringing -> SIP-ALERTING\n"
	"call 8 (span1/B9){SIP-ALERTING}: sip-answered -> ACTIVE\n"
	"call 8 (span1/B9){ACTIVE}: tdm-connect-ack\n"
	"call 8 (span1/B9){ACTIVE}: timer rtp_timeout expired\n"
	"call 8 (span1/B9){ACTIVE}: rtp-timeout -> ACTIVE\n"
	"call 8 (span1/B9){ACTIVE}: failed: no RTP from the SIP side for 1 s (rtp_timeout), cause 102\n"
	"call 8 (span1/B9){ACTIVE}: failure -> RELEASED\n"
	"call 8 (span1/B9){RELEASED}: released, cause 102 (recovery on timer expiry)\n"),
	("> SETUP B9 to 30123456 from 030123\n"
	"< CALL PROCEEDING\n"
	"< ALERTING\n"
	"< CONNECT\n"
	"< DISCONNECT cause 102\n"),
	("< INVITE to +4930123456 from +4930123, SDP offer\n"
	"> 180\n"
	"> 200\n"
	"< ACK\n"
	"< BYE, Reason cause 102\n"),
};

static const char *const ok_decline[3] = {
	("call 9 (no channel){NEW}: isdn-setup -> SIP-CALLING\n"
	"call 9 (span1/B7){SIP-CALLING}: SETUP from 030123 (national) to 30123456 (national) -> +4930123 to +4930123456\n"
	"call 9 (span1/B7){SIP-CALLING}: INVITE sip:+4930123456@127.0.0.1:PORT;user=phone via trunk phone (...)\n"
	"call 9 (span1/B7){SIP-CALLING}: sip-failed -> RELEASED\n"
	"call 9 (span1/B7){RELEASED}: SIP 603 -> cause 21 (call rejected)\n"
	"call 9 (span1/B7){RELEASED}: released, cause 21 (call rejected)\n"),
	("> SETUP B7 to 30123456 from 030123\n"
	"< CALL PROCEEDING\n"
	"< DISCONNECT cause 21\n"),
	("< INVITE to +4930123456 from +4930123, SDP offer\n"
	"> 603\n"),
};
