"""Every text Waypost says, in English, with its structure: written once, for every language.

The English strings are the msgids `pybabel extract` collects (`babel.cfg`; the README says how
a translator updates a language's PO file); each other language only translates them, in
`messages/locale/<code>/LC_MESSAGES/waypost.po`. What a message is made of (its clauses, and
the alternatives a missing field picks) is said here and nowhere else.

A translation keeps its msgid's `{fields}`: they decide which alternative is used. It may
leave out one that is always known (`ALWAYS_KNOWN`), as a language that does not name the
carrier in a sentence does; it never adds one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from messages.shape import (
    N_,
    NC_,
    DateStyle,
    InboundAnswerKey,
    Msg,
    ReplyWords,
    Template,
    email,
    sms,
)
from models.notification import Channel, MessageContext, NotificationKind
from models.notification import NotificationKind as K

ALWAYS_KNOWN: Final = frozenset(
    name for name, field in MessageContext.model_fields.items() if field.is_required()
)
"""The context every message has (order, carrier, ...): no clause is ever dropped for them."""

DATES: Final = DateStyle(
    # Translators: a CLDR date pattern ("EEE d MMM": "Tue 24 Nov"), short for SMS.
    message=NC_("date-pattern:message", "EEE d MMM"),
    # Translators: a CLDR date pattern for the page; a weekday helps to choose a slot.
    page=NC_("date-pattern:page", "EEE d MMM"),
)
"""How a day is written: CLDR patterns, translated like a text."""

REPLY_WORDS: Final = ReplyWords(
    # Translators: words that say yes to "Reply 1 if home", anywhere in a reply, "a, b, c".
    confirm=NC_(
        "reply-words:confirm", "yes, y, yeah, yep, yup, ok, okay, sure, confirm, confirmed"
    ),
    # Translators: words that ask for another time, anywhere in a reply, "a, b, c".
    reschedule=NC_("reply-words:reschedule", "no, n, nope, reschedule, later"),
    # Translators: phrases that say yes only as the whole reply, "a, b, c".
    confirm_phrases=NC_(
        "reply-words:confirm_phrases",
        "home, im home, i am home, at home, im at home, i am at home",
    ),
    # Translators: phrases that ask for another time only as the whole reply, "a, b, c".
    reschedule_phrases=NC_(
        "reply-words:reschedule_phrases",
        "not home, im not home, i am not home, not at home, another day, other day",
    ),
    # Translators: words making a yes next to them unclear ("not sure"); "-" for none.
    negations=NC_("reply-words:negations", "not, dont, cant"),
    # Translators: whole replies that opt out of every SMS from the shop, "a, b, c".
    stop=NC_("reply-words:stop", "stop, stopall, unsubscribe, cancel, end, quit"),
    # Translators: whole replies that opt back in after an opt-out, "a, b, c".
    start=NC_("reply-words:start", "start, unstop"),
)
"""How a customer may answer the courier's confirmation, written without accents or
apostrophes (replies are normalized before matching: see `messages.replies`)."""

MESSAGES: Final[Mapping[tuple[NotificationKind, Channel], Template[Msg]]] = {
    (K.SHIPPED, Channel.SMS): sms(
        N_("Order {order_id} shipped with {carrier}, tracking no. {tracking_number}."),
        N_("{tracking_url}"),
    ),
    (K.SHIPPED, Channel.EMAIL): email(
        N_("Your order {order_id} is on its way"),
        (N_("Hi {recipient_name},"),),
        (
            N_(
                "Good news: your order {order_id} has been shipped with "
                "{carrier}. The tracking number is {tracking_number}."
            ),
        ),
        (N_("Estimated delivery: {eta}."),),
        (N_("Track your parcel: {tracking_url}"),),
        (N_("Thank you for shopping with us!"),),
    ),
    (K.OUT_FOR_DELIVERY, Channel.SMS): sms(
        (
            N_("Order {order_id} is out for delivery: {window}."),
            N_("Order {order_id} is out for delivery, expected {eta}."),
            N_("Order {order_id} is out for delivery."),
        ),
        N_("Courier: {courier}."),
    ),
    (K.OUT_FOR_DELIVERY, Channel.EMAIL): email(
        N_("Your order {order_id} is out for delivery"),
        (N_("Hi {recipient_name},"),),
        (
            N_("Your order {order_id} is out for delivery with {carrier}."),
            (
                N_("Delivery window: {window}."),
                N_("Estimated delivery: {eta}."),
            ),
        ),
        (N_("Your courier: {courier}."),),
        (N_("Track your parcel: {tracking_url}"),),
    ),
    (K.DELIVERY_FAILED, Channel.SMS): sms(
        N_(
            "Order {order_id} not delivered. The carrier will retry or tell "
            "you where to collect it."
        ),
        N_("{tracking_url}"),
    ),
    (K.DELIVERY_FAILED, Channel.EMAIL): email(
        N_("Your order {order_id} couldn't be delivered"),
        (N_("Hi {recipient_name},"),),
        (
            N_("{carrier} couldn't deliver your order {order_id}."),
            N_("The parcel was last scanned at {location}."),
        ),
        (N_("Nothing is lost: the carrier will try again or tell you where to collect it."),),
        (N_("Tracking number: {tracking_number}."),),
        (N_("Track your parcel: {tracking_url}"),),
    ),
    (K.AVAILABLE_FOR_PICKUP, Channel.SMS): sms(
        (
            N_("Order {order_id} is ready at {pickup_point}."),
            N_("Order {order_id} is ready for pickup."),
        ),
        (
            N_("Code {pickup_code}, collect by {pickup_deadline}."),
            N_("Code {pickup_code}."),
            N_("Collect by {pickup_deadline}."),
        ),
    ),
    (K.AVAILABLE_FOR_PICKUP, Channel.EMAIL): email(
        N_("Your order {order_id} is ready for pickup"),
        (N_("Hi {recipient_name},"),),
        (
            (
                N_("Your order {order_id} is waiting for you at {pickup_point}."),
                N_("Your order {order_id} is ready for pickup."),
            ),
        ),
        (
            N_("Your pickup code: {pickup_code}."),
            N_("Please collect it by {pickup_deadline}."),
        ),
        (N_("Track your parcel: {tracking_url}"),),
    ),
    (K.DELIVERED, Channel.SMS): sms(
        N_("Order {order_id} has been delivered. Enjoy!"),
    ),
    (K.DELIVERED, Channel.EMAIL): email(
        N_("Your order {order_id} has been delivered"),
        (N_("Hi {recipient_name},"),),
        (N_("Your order {order_id} has been delivered by {carrier}. We hope you enjoy it!"),),
        (
            N_(
                "If you can't find it, please contact us and mention tracking "
                "number {tracking_number}."
            ),
        ),
    ),
    (K.RETURNED, Channel.SMS): sms(
        N_("Sorry, order {order_id} couldn't be delivered and is going back to the shop."),
        N_("{tracking_url}"),
    ),
    (K.RETURNED, Channel.EMAIL): email(
        N_("Your order {order_id} is on its way back to us"),
        (N_("Hi {recipient_name},"),),
        (
            N_(
                "We're sorry: your order {order_id} couldn't be delivered, and "
                "{carrier} is returning it to us."
            ),
        ),
        (N_("If you still want it, please get in touch and we'll be glad to help."),),
        (NC_("returned.email", "Follow the return: {tracking_url}"),),
    ),
    (K.COURIER_ONE_HOUR, Channel.SMS): sms(
        (
            N_("Courier {courier_name} arrives in about {lead_minutes} min ({window_hours})."),
            N_("Courier {courier_name} arrives in about {lead_minutes} min."),
            N_("Courier {courier_name} is on the way ({window_hours})."),
            N_("Courier {courier_name} is on the way."),
            N_("Your courier arrives in about {lead_minutes} min ({window_hours})."),
            N_("Your courier arrives in about {lead_minutes} min."),
            N_("Your courier is on the way ({window_hours})."),
            N_("Your courier is on the way."),
        ),
        N_("Tel. {courier_phone}."),
        N_("Reply 1 if home, 2 to reschedule."),
    ),
    (K.COURIER_ONE_HOUR, Channel.EMAIL): email(
        N_("Your courier is almost there with order {order_id}"),
        (N_("Hi {recipient_name},"),),
        (
            (
                N_(
                    "Your courier {courier_name} arrives in about {lead_minutes} "
                    "minutes with your order {order_id}."
                ),
                N_(
                    "Your courier arrives in about {lead_minutes} minutes with your "
                    "order {order_id}."
                ),
                N_("Your courier {courier_name} is on the way with your order {order_id}."),
                N_("Your courier is on the way with your order {order_id}."),
            ),
            N_("Delivery window: {window}."),
        ),
        (N_("Courier phone: {courier_phone}."),),
        (
            N_(
                "Tell us whether you'll be home, or ask for another time, on the tracking "
                "page: {tracking_url}"
            ),
        ),
        (N_("Track your parcel: {tracking_url}"),),
    ),
    (K.PICKUP_REMINDER, Channel.SMS): sms(
        (
            N_("Order {order_id} is still waiting at {pickup_name}."),
            N_("Order {order_id} is still waiting at {pickup_address}."),
            N_("Order {order_id} is still waiting for pickup."),
        ),
        N_("Code {pickup_code}."),
        (
            N_("It's kept only until {pickup_deadline}."),
            N_("Storage is limited."),
        ),
    ),
    (K.PICKUP_REMINDER, Channel.EMAIL): email(
        N_("Reminder: your order {order_id} is waiting for pickup"),
        (N_("Hi {recipient_name},"),),
        (
            (
                N_(
                    "A quick reminder: your order {order_id} is still waiting for you "
                    "at {pickup_point}."
                ),
                N_("A quick reminder: your order {order_id} is still waiting for pickup."),
            ),
        ),
        (
            N_("Your pickup code: {pickup_code}."),
            N_("Please collect it by {pickup_deadline}."),
        ),
        (N_("The pickup point can only keep parcels for a limited time."),),
        (N_("Track your parcel: {tracking_url}"),),
    ),
    (K.PICKUP_FINAL_WARNING, Channel.SMS): sms(
        (
            N_(
                "Last call: order {order_id} returns to the shop after "
                "{pickup_deadline}; a return fee may apply."
            ),
            N_("Last call: order {order_id} will soon return to the shop; a return fee may apply."),
        ),
        (
            N_("Code {pickup_code}, {pickup_name}."),
            N_("Code {pickup_code}, {pickup_address}."),
            N_("Code {pickup_code}."),
            N_("Pickup point: {pickup_name}."),
            N_("Pickup point: {pickup_address}."),
        ),
    ),
    (K.PICKUP_FINAL_WARNING, Channel.EMAIL): email(
        N_("Last reminder: pick up your order {order_id}"),
        (N_("Hi {recipient_name},"),),
        (
            (
                N_(
                    "Your order {order_id} is still waiting for you. After "
                    "{pickup_deadline} it will go back to the shop, and return "
                    "shipping may be charged."
                ),
                N_(
                    "Your order {order_id} is still waiting for you. Soon it will go "
                    "back to the shop, and return shipping may be charged."
                ),
            ),
        ),
        (
            (
                N_("Pick it up with code {pickup_code} at {pickup_point}."),
                N_("Pick it up at {pickup_point}."),
                N_("Pick it up with code {pickup_code}."),
            ),
        ),
        (N_("Track your parcel: {tracking_url}"),),
    ),
    (K.DELAY_NOTICE, Channel.SMS): sms(
        N_("Sorry, order {order_id} is delayed."),
        (
            N_("New estimate: {new_estimate}."),
            N_("We'll tell you as soon as the carrier gives a new date."),
        ),
        N_("{tracking_url}"),
    ),
    (K.DELAY_NOTICE, Channel.EMAIL): email(
        N_("Your order {order_id} is delayed"),
        (N_("Hi {recipient_name},"),),
        (N_("We're sorry: your order {order_id} is running late with {carrier}."),),
        (
            (
                N_("The new estimated delivery is {new_estimate}."),
                N_("We'll let you know as soon as the carrier gives us a new delivery date."),
            ),
        ),
        (N_("Track your parcel: {tracking_url}"),),
        (N_("Thank you for your patience."),),
    ),
    (K.THANK_YOU, Channel.SMS): sms(
        N_("Thank you for your order {order_id}!"),
        N_("Your coupon for next time: {coupon_code}."),
        N_("How did we do? {review_url}"),
    ),
    (K.THANK_YOU, Channel.EMAIL): email(
        N_("Thank you for your order {order_id}"),
        (N_("Hi {recipient_name},"),),
        (N_("Your order {order_id} has arrived. Thank you for shopping with us!"),),
        (N_("As a thank-you, here is a coupon for your next order: {coupon_code}."),),
        (N_("We'd love to hear how it went: {review_url}"),),
    ),
    (K.SLOT_CHOICE, Channel.SMS): sms(
        (
            N_(
                "Order {order_id} has reached your city. Reply with the number of "
                "the delivery slot you want: {slots}. If you don't reply by "
                "{choose_by}, slot 1 is confirmed."
            ),
            N_(
                "Order {order_id} has reached your city. Reply with the number of "
                "the delivery slot you want: {slots}."
            ),
            N_("Order {order_id} has reached your city. Choose a delivery slot: {tracking_url}"),
            N_("Order {order_id} has reached your city."),
        ),
    ),
    (K.SLOT_CHOICE, Channel.EMAIL): email(
        N_("Choose a delivery slot for your order {order_id}"),
        (N_("Hi {recipient_name},"),),
        (
            N_("Good news: your order {order_id} has reached your city."),
            N_("Please choose when {carrier} should deliver it."),
        ),
        (N_("Available delivery slots:\n{slots}"),),
        (N_("Choose a delivery slot using the tracking link: {tracking_url}"),),
        (N_("If you haven't chosen by {choose_by}, we'll confirm slot 1."),),
    ),
    (K.SLOT_CONFIRMED, Channel.SMS): sms(
        (
            N_("Order {order_id} delivery confirmed: {window}."),
            N_("Order {order_id}: delivery slot confirmed."),
        ),
        N_("Courier: {courier}."),
    ),
    (K.SLOT_CONFIRMED, Channel.EMAIL): email(
        N_("Delivery slot confirmed for your order {order_id}"),
        (N_("Hi {recipient_name},"),),
        (
            (
                N_("The delivery slot for your order {order_id} is confirmed: {window}."),
                N_("The delivery slot for your order {order_id} is confirmed."),
            ),
        ),
        (N_("Your courier: {courier}."),),
        (N_("Track your parcel: {tracking_url}"),),
    ),
    (K.SHOP_RETURN_NOTICE, Channel.SMS): sms(
        (
            N_(
                "Order {order_id} not collected from {pickup_name} by "
                "{pickup_deadline}, returning to you."
            ),
            N_(
                "Order {order_id} not collected from {pickup_address} by "
                "{pickup_deadline}, returning to you."
            ),
            N_("Order {order_id} not collected by {pickup_deadline}, returning to you."),
            N_("Order {order_id} not collected from {pickup_name}, returning to you."),
            N_("Order {order_id} not collected from {pickup_address}, returning to you."),
            N_("Order {order_id} not collected, returning to you."),
        ),
        N_("{carrier} {tracking_number}."),
    ),
    (K.SHOP_RETURN_NOTICE, Channel.EMAIL): email(
        N_("Order {order_id}: parcel not collected, returning to you"),
        (N_("Hello,"),),
        (
            N_(
                "The parcel for order {order_id} ({carrier}, tracking number "
                "{tracking_number}) was not collected from the pickup point "
                "within the storage period and is being returned to you."
            ),
        ),
        (
            N_("Pickup point: {pickup_point}."),
            N_("Storage deadline: {pickup_deadline}."),
        ),
        (N_("The customer, {recipient_name}, was reminded to collect it before the deadline."),),
        (NC_("shop_return_notice.email", "Follow the return: {tracking_url}"),),
    ),
    # Exceptions: what happened, an apology, what happens next.
    (K.EXCEPTION_LOST, Channel.SMS): sms(
        N_("Sorry, the carrier reports order {order_id} as lost."),
        N_("The shop will contact you about a replacement or a refund."),
        N_("{tracking_url}"),
    ),
    (K.EXCEPTION_LOST, Channel.EMAIL): email(
        N_("Your order {order_id} has been lost in transit"),
        (N_("Hi {recipient_name},"),),
        (N_("{carrier} reports that the parcel with your order {order_id} has been lost."),),
        (N_("We're very sorry."),),
        (N_("The shop will contact you about a replacement or a refund: you need do nothing."),),
        (N_("Tracking number: {tracking_number}."),),
        (N_("Track your parcel: {tracking_url}"),),
    ),
    (K.EXCEPTION_DAMAGED, Channel.SMS): sms(
        N_("Sorry, order {order_id} was damaged in transit."),
        N_("The shop will contact you about a replacement or a refund."),
        N_("{tracking_url}"),
    ),
    (K.EXCEPTION_DAMAGED, Channel.EMAIL): email(
        N_("Your order {order_id} was damaged in transit"),
        (N_("Hi {recipient_name},"),),
        (N_("{carrier} reports that the parcel with your order {order_id} was damaged."),),
        (N_("We're very sorry."),),
        (N_("The shop will contact you about a replacement or a refund: you need do nothing."),),
        (N_("Tracking number: {tracking_number}."),),
        (N_("Track your parcel: {tracking_url}"),),
    ),
    (K.EXCEPTION_HELD, Channel.SMS): sms(
        N_("Sorry, order {order_id} is held by the carrier."),
        N_("The carrier will tell you if it needs anything to release it."),
        N_("{tracking_url}"),
    ),
    (K.EXCEPTION_HELD, Channel.EMAIL): email(
        N_("Your order {order_id} is held by the carrier"),
        (N_("Hi {recipient_name},"),),
        (
            (
                N_("{carrier} is holding the parcel with your order {order_id} at {location}."),
                N_("{carrier} is holding the parcel with your order {order_id}."),
            ),
        ),
        (N_("We're sorry for the wait."),),
        (
            N_(
                "Parcels are held for customs, a fee or a missing document: the carrier "
                "will tell you if it needs anything from you. Quote tracking number "
                "{tracking_number}."
            ),
        ),
        (N_("Track your parcel: {tracking_url}"),),
    ),
    (K.EXCEPTION_ADDRESS, Channel.SMS): sms(
        N_(
            "Sorry, the carrier can't deliver order {order_id}: there's a problem with the address."
        ),
        N_("Please contact the shop to correct it."),
        N_("{tracking_url}"),
    ),
    (K.EXCEPTION_ADDRESS, Channel.EMAIL): email(
        N_("A problem with the delivery address of your order {order_id}"),
        (N_("Hi {recipient_name},"),),
        (
            N_(
                "{carrier} can't deliver your order {order_id}: the address seems "
                "to be wrong or incomplete."
            ),
        ),
        (N_("We're sorry for the trouble."),),
        (
            N_(
                "Please contact the shop to correct the address, quoting tracking "
                "number {tracking_number}: the carrier will then try again."
            ),
        ),
        (N_("Track your parcel: {tracking_url}"),),
    ),
    (K.EXCEPTION_REFUSED, Channel.SMS): sms(
        N_("Order {order_id} was refused at delivery and is going back to the shop."),
        N_("Sorry if that was a mistake: please contact the shop."),
        N_("{tracking_url}"),
    ),
    (K.EXCEPTION_REFUSED, Channel.EMAIL): email(
        N_("Your order {order_id} was refused at delivery"),
        (N_("Hi {recipient_name},"),),
        (
            N_(
                "{carrier} reports that the parcel with your order {order_id} was "
                "refused at delivery, so it is going back to the shop."
            ),
        ),
        (N_("We're sorry if that was a mistake."),),
        (N_("If you still want your order, please contact the shop and we'll be glad to help."),),
        (N_("Track your parcel: {tracking_url}"),),
    ),
    (K.EXCEPTION_OTHER, Channel.SMS): sms(
        N_("Sorry, there's a problem delivering order {order_id}."),
        N_("The carrier is on it; we'll tell you as soon as there's news."),
        N_("{tracking_url}"),
    ),
    (K.EXCEPTION_OTHER, Channel.EMAIL): email(
        N_("A problem with the delivery of your order {order_id}"),
        (N_("Hi {recipient_name},"),),
        (N_("{carrier} reports a problem with the delivery of your order {order_id}."),),
        (N_("We're sorry for the trouble."),),
        (
            N_(
                "The carrier is looking into it, and we'll tell you as soon as there's "
                "news. Tracking number: {tracking_number}."
            ),
        ),
        (N_("Track your parcel: {tracking_url}"),),
    ),
}
"""Each kind's SMS and email: their clauses, and the alternatives a missing field picks."""

# Translators: what every SMS starts with, the shop's name: "Acme Outdoor: Order ...".
SMS_SENDER: Final = N_("{shop_name}:")
"""Every SMS names the shop first, so the customer knows who writes before reading on."""

# Translators: the opt-out hint closing an SMS; its keyword must be one of reply-words:stop.
SMS_OPT_OUT: Final = N_("Reply STOP to opt out.")
"""Where the shop's policy asks, an SMS ends with how to stop them (Twilio's STOP keyword)."""

LINK_LINES: Final = frozenset(
    {
        N_("Track your parcel: {tracking_url}"),
        NC_("returned.email", "Follow the return: {tracking_url}"),
        NC_("shop_return_notice.email", "Follow the return: {tracking_url}"),
    }
)
"""An email's paragraphs that only give the tracking link: the HTML part's button says them."""

EMAIL: Final[tuple[Msg, ...]] = (
    NC_("email.progress", "Parcel progress"),
    NC_("email.button", "Track your parcel"),
    NC_("email.support", "Need help? Contact us:"),
    NC_("email.why", "You are receiving this email about your order from {shop_name}."),
    NC_("email.recommendations", "You might also like"),
    NC_("email.recommendations_why", "Suggested by {shop_name}, because you agreed to its offers."),
)
"""The HTML email's own strings (its stepper's steps are the page's `status.*`), by msgctxt."""

PAGE: Final[tuple[Msg, ...]] = (
    NC_("page.title", "Order {order_id}: parcel tracking"),
    NC_("page.heading", "Your order {order_id}"),
    NC_("page.carrier", "Carrier"),
    NC_("page.tracking_number", "Tracking number"),
    NC_("page.delivery_kind", "Delivery"),
    NC_("page.times_in", "Times are shown in the {zone} time zone."),
    NC_("page.private", "This page is just for you: please don't share its link."),
    NC_("delivery.courier_next_day", "Courier, next day"),
    NC_("delivery.courier_multi_day", "Courier, on an agreed day"),
    NC_("delivery.pickup_point", "Collect from a pickup point"),
    NC_("status.heading", "Status"),
    NC_("status.since", "Since {time}"),
    NC_("status.shipped", "Shipped"),
    NC_("status.in_transit", "In transit"),
    NC_("status.out_for_delivery", "Out for delivery"),
    NC_("status.delivery_failed", "Delivery attempt failed"),
    NC_("status.available_for_pickup", "Ready for pickup"),
    NC_("status.delivered", "Delivered"),
    NC_("status.returned", "Returned to the shop"),
    NC_("status.exception", "Held up by a problem in transit"),
    NC_("status.cancelled", "Cancelled"),
    NC_("expected.window", "Delivery window"),
    NC_("expected.estimate", "Expected delivery"),
    NC_("closed.note", "This shipment is closed: there will be no more updates."),
    NC_(
        "live.unavailable",
        "Some live details are unavailable right now, so this page shows "
        "the latest recorded information. Please try again later.",
    ),
    NC_("details.courier", "Your courier"),
    NC_("details.courier_name", "Name"),
    NC_("details.courier_phone", "Phone"),
    NC_("details.pickup", "Pickup point"),
    NC_("details.pickup_name", "Name"),
    NC_("details.pickup_address", "Address"),
    NC_("details.pickup_hours", "Opening hours"),
    NC_("details.pickup_code", "Pickup code"),
    NC_("details.pickup_deadline", "Collect by"),
    NC_("slots.heading", "Choose a delivery time"),
    NC_("slots.legend", "Available times"),
    NC_("slots.option", "Option {number}: {window}"),
    NC_(
        "slots.choose_by",
        "Please choose by {time}. If you don't, the first time is booked for you.",
    ),
    NC_("slots.default", "If you don't choose, the first time is booked for you."),
    NC_("slots.submit", "Book this time"),
    NC_("reply.heading", "Will you be at home?"),
    NC_(
        "reply.intro",
        "Your courier is due: {window}. Please let them know whether you'll be there.",
    ),
    NC_("reply.confirm", "Yes, I'll be at home"),
    NC_("reply.reschedule", "No, choose another time"),
    NC_("reply.answered_confirm", "You told the courier you'll be at home ({time})."),
    NC_("reply.answered_reschedule", "You asked for another time ({time})."),
    NC_("pending.heading", "What happens next"),
    NC_("pending.courier_one_hour", "Your courier confirms the arrival time with a message"),
    NC_("pending.pickup_reminder", "A reminder to collect your parcel"),
    NC_("pending.pickup_final_warning", "A last reminder before the parcel goes back"),
    NC_(
        "pending.delay_notice",
        "If there's no news from the carrier by then, we'll tell you about the delay",
    ),
    NC_(
        "pending.slot_confirmed", "If you haven't chosen by then, the first offered time is booked"
    ),
    NC_("pending.thank_you", "A thank-you message from the shop"),
    NC_(
        "pending.storage_deadline",
        "Last day to collect: after that the parcel goes back to the shop",
    ),
    NC_("pending.other", "Message: {kind}"),
    NC_("pending.deferred", "{kind} ({channel}): held until the morning, we don't send at night"),
    NC_("route.heading", "Parcel journey"),
    NC_("route.empty", "No news from the carrier yet."),
    NC_("route.late", "Reported late by the carrier"),
    NC_("route.latest", "Latest update"),
    NC_("route.storage_deadline", "Not collected in time: returned to the shop."),
    NC_("notifications.heading", "Messages to you"),
    NC_("notifications.empty", "No messages yet."),
    NC_("notifications.to", "To {recipient}"),
    NC_("notifications.planned_for", "Planned for {time}"),
    NC_("notifications.heading_calls", "Messages and calls"),
    NC_("channel.call", "Phone call"),
    NC_("call.outbound_shop", "Call from the shop"),
    NC_("call.outbound_carrier", "Call from the carrier"),
    NC_("call.inbound_shop", "Your call to the shop"),
    NC_("call.inbound_carrier", "Your call to the carrier"),
    NC_("call_outcome.answered", "Answered"),
    NC_("call_outcome.no_answer", "No answer"),
    NC_("call_outcome.voicemail", "Voicemail left"),
    NC_("call_outcome.wrong_number", "Wrong number"),
    NC_("call_outcome.busy", "Line busy"),
    NC_("channel.sms", "SMS"),
    NC_("channel.email", "Email"),
    NC_("kind.shipped", "Shipping confirmation"),
    NC_("kind.out_for_delivery", "Out for delivery"),
    NC_("kind.delivery_failed", "Delivery attempt failed"),
    NC_("kind.available_for_pickup", "Ready for pickup"),
    NC_("kind.delivered", "Delivered"),
    NC_("kind.returned", "Return notice"),
    NC_("kind.courier_one_hour", "Courier's arrival confirmation"),
    NC_("kind.pickup_reminder", "Pickup reminder"),
    NC_("kind.pickup_final_warning", "Last pickup reminder"),
    NC_("kind.delay_notice", "Delay notice"),
    NC_("kind.thank_you", "Thank-you message"),
    NC_("kind.slot_choice", "Choice of delivery time"),
    NC_("kind.slot_confirmed", "Delivery time confirmed"),
    NC_("kind.shop_return_notice", "Return notice to the shop"),
    NC_("kind.exception_lost", "Parcel lost"),
    NC_("kind.exception_damaged", "Parcel damaged"),
    NC_("kind.exception_held", "Parcel held by the carrier"),
    NC_("kind.exception_address", "Problem with the address"),
    NC_("kind.exception_refused", "Parcel refused"),
    NC_("kind.exception_other", "Problem with the delivery"),
    NC_(
        "exception.lost",
        "The carrier reports the parcel as lost. We're sorry: the shop will contact you about "
        "a replacement or a refund.",
    ),
    NC_(
        "exception.damaged",
        "The parcel was damaged in transit. We're sorry: the shop will contact you about a "
        "replacement or a refund.",
    ),
    NC_(
        "exception.held",
        "The carrier is holding the parcel (customs, a fee or a document). We're sorry for the "
        "wait: the carrier will tell you if it needs anything from you.",
    ),
    NC_(
        "exception.address",
        "The carrier can't deliver to the address given. We're sorry: please contact the shop "
        "to correct it.",
    ),
    NC_(
        "exception.refused",
        "The parcel was refused at delivery and is going back to the shop. If that was a "
        "mistake, please contact the shop.",
    ),
    NC_(
        "exception.other",
        "There's a problem with the delivery. We're sorry: the carrier is looking into it and "
        "we'll tell you as soon as there's news.",
    ),
    NC_("nstatus.planned", "Planned"),
    NC_("nstatus.sending", "Sending"),
    NC_("nstatus.sent", "Sent"),
    NC_("nstatus.delivered", "Delivered"),
    NC_("nstatus.undelivered", "Not delivered"),
    NC_("nstatus.failed", "Could not be sent"),
    NC_("nstatus.suppressed", "Not sent: message limit reached"),
    NC_("nstatus.superseded", "Not sent: no longer needed"),
    NC_("nstatus.opted_out", "Not sent: you unsubscribed"),
    NC_("nstatus.delegated", "Sent by someone else"),
    NC_("nstatus.delegated_shop", "Sent by the shop"),
    NC_("nstatus.delegated_carrier", "Sent by the carrier"),
    NC_("notice.slot_chosen", "Thank you! Your delivery is booked for {window}."),
    NC_("notice.slot_chosen_generic", "Thank you! Your delivery time is booked."),
    NC_("notice.confirmed", "Thank you! The courier knows you'll be at home."),
    NC_(
        "notice.rescheduled", "Noted: you'd like another time. We'll offer you new delivery times."
    ),
    NC_("notice.refused", "Sorry, we couldn't take your answer: {reason}"),
    NC_(
        "notice.refused_generic",
        "Sorry, we couldn't take your answer. Please reload the page and try again.",
    ),
    NC_("notice.closed", "This shipment is closed, so it can't be changed any more."),
    NC_("unsubscribe.title", "Unsubscribe"),
    NC_(
        "unsubscribe.question",
        "Stop offers and review requests from this shop by email? "
        "News about your parcels will still reach you.",
    ),
    NC_("unsubscribe.button", "Unsubscribe"),
    NC_(
        "unsubscribe.done",
        "Done: this shop will send you no more offers or review requests by email.",
    ),
    NC_("error.invalid.title", "This link doesn't work"),
    NC_(
        "error.invalid.body",
        "This tracking link is incomplete or has a mistake in it. Please "
        "open it again from your message from the shop.",
    ),
    NC_("error.expired.title", "This link has expired"),
    NC_(
        "error.expired.body",
        "This tracking link has expired. The latest link is in your most "
        "recent message from the shop.",
    ),
    NC_("error.not_found.title", "Parcel not found"),
    NC_(
        "error.not_found.body",
        "We couldn't find a parcel for this link. Please check your most "
        "recent message from the shop, or contact the shop.",
    ),
    NC_("error.unavailable.title", "Tracking is unavailable right now"),
    NC_(
        "error.unavailable.body",
        "We can't show your parcel right now. Please try again in a few minutes.",
    ),
    NC_("shop.help_heading", "Need help?"),
    NC_("shop.help_intro", "Questions about your order? {shop_name} is here to help:"),
    NC_("shop.support_url", "Help centre"),
    NC_("shop.support_email", "Email"),
    NC_("shop.support_phone", "Phone"),
    NC_("consent.heading", "Offers from {shop_name}"),
    NC_(
        "consent.offer",
        "After delivery, {shop_name} would like to thank you with offers and a request to "
        "review your order. It sends them only if you agree, and you can withdraw at any time.",
    ),
    NC_("consent.checkbox", "Yes, {shop_name} may send me offers and review requests"),
    NC_("consent.submit", "Save my choice"),
    NC_("consent.given_start", "You agreed to offers from {shop_name} when you ordered."),
    NC_("consent.given_page", "You agreed to offers from {shop_name} on {time}."),
    NC_("consent.withdraw", "Withdraw my consent"),
    NC_(
        "consent.withdrawn",
        "You get no offers or review requests from {shop_name}. "
        "News about your parcel still reaches you.",
    ),
    NC_("notice.consent_given", "Thank you! You agreed to offers and review requests."),
    NC_(
        "notice.consent_withdrawn",
        "Done: you will get no more offers or review requests from this shop.",
    ),
    NC_("progress.label", "Parcel progress"),
    NC_("progress.done", "done"),
    NC_("progress.current", "current step"),
    NC_("progress.upcoming", "still to come"),
    NC_("progress.problem", "current step, needs attention"),
    NC_("notifications.show", "Show all ({count})"),
    NC_("calendar.link", "Add to calendar"),
    NC_("calendar.file", "order-{order_id}"),
    NC_("calendar.delivery", "Parcel delivery: order {order_id}"),
    NC_("calendar.pickup", "Collect your parcel: order {order_id}"),
    NC_("calendar.details", "{carrier}, tracking number {tracking_number}"),
    NC_("details.pickup_map", "Map"),
    NC_("details.pickup_map_link", "Show on OpenStreetMap"),
    NC_("step.shipped", "Shipped"),
    NC_("step.in_transit", "In transit"),
    NC_("step.out_for_delivery", "Out for delivery"),
    NC_("step.delivered", "Delivered"),
    NC_("step.available_for_pickup", "Ready for pickup"),
    NC_("step.delivery_failed", "Attempt failed"),
    NC_("step.exception", "Held up"),
    NC_("step.returned", "Returned"),
    NC_("step.cancelled", "Cancelled"),
    NC_("step.collected", "Collected"),
)
"""The tracking page's strings; each one's msgctxt is the key the page asks for."""

ANSWERS: Final[Mapping[InboundAnswerKey, tuple[Msg, ...]]] = {
    "unclear_courier": (
        N_("Sorry, we didn't understand. Reply 1 if you are home, 2 to reschedule."),
    ),
    "unclear_slot": (
        N_(
            "Sorry, we didn't understand. Reply with the number of the slot you want, 1 to {count}."
        ),
        N_("Sorry, we didn't understand. Reply with the number of the slot you want."),
    ),
    "no_question": (
        N_(
            "Thanks! We have no question waiting for your answer. For "
            "anything else, please contact the shop."
        ),
    ),
    "refused": (N_("Sorry, we couldn't change your delivery. Please contact the shop."),),
    "closed": (
        N_(
            "Sorry, the time to answer has passed. To change the delivery, please contact the shop."
        ),
    ),
    # Translators: the acknowledgement of a reply "1" (I am home) to the courier's SMS.
    "confirmed": (N_("Thanks! The courier knows you will be home."),),
    "rescheduled": (
        # Translators: the acknowledgement of a reply "2" (reschedule) to the courier's SMS.
        N_("Thanks, noted: the courier won't come now. We'll send you a new delivery time."),
    ),
}
"""What an SMS reply Waypost cannot act on is answered: alternatives, as in a clause."""
