"""English: every text Waypost says in it (the shape is `messages.shape.Catalogue`)."""

from messages.shape import Catalogue, DateStyle, ReplyWords, email, sms
from models.notification import Channel
from models.notification import NotificationKind as K

CATALOGUE = Catalogue(
    dates=DateStyle(message="EEE d MMM", page="EEE d MMM"),  # 'Tue 24 Nov', 'Tue 24 Nov'
    messages={
        (K.SHIPPED, Channel.SMS): sms(
            "Order {order_id} shipped with {carrier}, tracking no. {tracking_number}.",
            "{tracking_url}",
        ),
        (K.SHIPPED, Channel.EMAIL): email(
            "Your order {order_id} is on its way",
            ("Hi {recipient_name},",),
            (
                "Good news: your order {order_id} has been shipped with {carrier}.",
                "The tracking number is {tracking_number}.",
            ),
            ("Estimated delivery: {eta}.",),
            ("Track your parcel: {tracking_url}",),
            ("Thank you for shopping with us!",),
        ),
        (K.OUT_FOR_DELIVERY, Channel.SMS): sms(
            (
                "Order {order_id} is out for delivery: {window}.",
                "Order {order_id} is out for delivery, expected {eta}.",
                "Order {order_id} is out for delivery.",
            ),
            "Courier: {courier}.",
        ),
        (K.OUT_FOR_DELIVERY, Channel.EMAIL): email(
            "Your order {order_id} is out for delivery",
            ("Hi {recipient_name},",),
            (
                "Your order {order_id} is out for delivery with {carrier}.",
                ("Delivery window: {window}.", "Estimated delivery: {eta}."),
            ),
            ("Your courier: {courier}.",),
            ("Track your parcel: {tracking_url}",),
        ),
        (K.DELIVERY_FAILED, Channel.SMS): sms(
            "Order {order_id} not delivered. The carrier will retry or tell you where to collect "
            "it.",
            "{tracking_url}",
        ),
        (K.DELIVERY_FAILED, Channel.EMAIL): email(
            "Your order {order_id} couldn't be delivered",
            ("Hi {recipient_name},",),
            (
                "{carrier} couldn't deliver your order {order_id}.",
                "The parcel was last scanned at {location}.",
            ),
            ("Nothing is lost: the carrier will try again or tell you where to collect it.",),
            ("Tracking number: {tracking_number}.",),
            ("Track your parcel: {tracking_url}",),
        ),
        (K.AVAILABLE_FOR_PICKUP, Channel.SMS): sms(
            (
                "Order {order_id} is ready at {pickup_point}.",
                "Order {order_id} is ready for pickup.",
            ),
            (
                "Code {pickup_code}, collect by {pickup_deadline}.",
                "Code {pickup_code}.",
                "Collect by {pickup_deadline}.",
            ),
        ),
        (K.AVAILABLE_FOR_PICKUP, Channel.EMAIL): email(
            "Your order {order_id} is ready for pickup",
            ("Hi {recipient_name},",),
            (
                (
                    "Your order {order_id} is waiting for you at {pickup_point}.",
                    "Your order {order_id} is ready for pickup.",
                ),
            ),
            ("Your pickup code: {pickup_code}.", "Please collect it by {pickup_deadline}."),
            ("Track your parcel: {tracking_url}",),
        ),
        (K.DELIVERED, Channel.SMS): sms(
            "Order {order_id} has been delivered. Enjoy!",
        ),
        (K.DELIVERED, Channel.EMAIL): email(
            "Your order {order_id} has been delivered",
            ("Hi {recipient_name},",),
            ("Your order {order_id} has been delivered by {carrier}.", "We hope you enjoy it!"),
            (
                "If you can't find it, please contact us and mention tracking number "
                "{tracking_number}.",
            ),
        ),
        (K.RETURNED, Channel.SMS): sms(
            "Sorry, order {order_id} couldn't be delivered and is going back to the shop.",
            "{tracking_url}",
        ),
        (K.RETURNED, Channel.EMAIL): email(
            "Your order {order_id} is on its way back to us",
            ("Hi {recipient_name},",),
            (
                "We're sorry: your order {order_id} couldn't be delivered, "
                "and {carrier} is returning it to us.",
            ),
            ("If you still want it, please get in touch and we'll be glad to help.",),
            ("Follow the return: {tracking_url}",),
        ),
        (K.COURIER_ONE_HOUR, Channel.SMS): sms(
            (
                "Courier {courier_name} arrives in about {lead_minutes} min ({window_hours}).",
                "Courier {courier_name} arrives in about {lead_minutes} min.",
                "Courier {courier_name} is on the way ({window_hours}).",
                "Courier {courier_name} is on the way.",
                "Your courier arrives in about {lead_minutes} min ({window_hours}).",
                "Your courier arrives in about {lead_minutes} min.",
                "Your courier is on the way ({window_hours}).",
                "Your courier is on the way.",
            ),
            "Tel. {courier_phone}.",
            "Reply 1 if home, 2 to reschedule.",
        ),
        (K.COURIER_ONE_HOUR, Channel.EMAIL): email(
            "Your courier is almost there with order {order_id}",
            ("Hi {recipient_name},",),
            (
                (
                    "Your courier {courier_name} arrives in about {lead_minutes} minutes "
                    "with your order {order_id}.",
                    "Your courier arrives in about {lead_minutes} minutes with your order "
                    "{order_id}.",
                    "Your courier {courier_name} is on the way with your order {order_id}.",
                    "Your courier is on the way with your order {order_id}.",
                ),
                "Delivery window: {window}.",
            ),
            ("Courier phone: {courier_phone}.",),
            ("Reply 1 to confirm you're home or 2 to reschedule.",),
            ("Track your parcel: {tracking_url}",),
        ),
        (K.PICKUP_REMINDER, Channel.SMS): sms(
            (
                "Order {order_id} is still waiting at {pickup_name}.",
                "Order {order_id} is still waiting at {pickup_address}.",
                "Order {order_id} is still waiting for pickup.",
            ),
            "Code {pickup_code}.",
            ("It's kept only until {pickup_deadline}.", "Storage is limited."),
        ),
        (K.PICKUP_REMINDER, Channel.EMAIL): email(
            "Reminder: your order {order_id} is waiting for pickup",
            ("Hi {recipient_name},",),
            (
                (
                    "A quick reminder: your order {order_id} is still waiting for you "
                    "at {pickup_point}.",
                    "A quick reminder: your order {order_id} is still waiting for pickup.",
                ),
            ),
            ("Your pickup code: {pickup_code}.", "Please collect it by {pickup_deadline}."),
            ("The pickup point can only keep parcels for a limited time.",),
            ("Track your parcel: {tracking_url}",),
        ),
        (K.PICKUP_FINAL_WARNING, Channel.SMS): sms(
            (
                "Last call: order {order_id} returns to the shop after {pickup_deadline}; "
                "a return fee may apply.",
                "Last call: order {order_id} will soon return to the shop; a return fee may apply.",
            ),
            (
                "Code {pickup_code}, {pickup_name}.",
                "Code {pickup_code}, {pickup_address}.",
                "Code {pickup_code}.",
                "Pickup point: {pickup_name}.",
                "Pickup point: {pickup_address}.",
            ),
        ),
        (K.PICKUP_FINAL_WARNING, Channel.EMAIL): email(
            "Last reminder: pick up your order {order_id}",
            ("Hi {recipient_name},",),
            (
                (
                    "Your order {order_id} is still waiting for you. After {pickup_deadline} "
                    "it will go back to the shop, and return shipping may be charged.",
                    "Your order {order_id} is still waiting for you. Soon it will go back "
                    "to the shop, and return shipping may be charged.",
                ),
            ),
            (
                (
                    "Pick it up with code {pickup_code} at {pickup_point}.",
                    "Pick it up at {pickup_point}.",
                    "Pick it up with code {pickup_code}.",
                ),
            ),
            ("Track your parcel: {tracking_url}",),
        ),
        (K.DELAY_NOTICE, Channel.SMS): sms(
            "Sorry, order {order_id} is delayed.",
            (
                "New estimate: {new_estimate}.",
                "We'll tell you as soon as the carrier gives a new date.",
            ),
            "{tracking_url}",
        ),
        (K.DELAY_NOTICE, Channel.EMAIL): email(
            "Your order {order_id} is delayed",
            ("Hi {recipient_name},",),
            ("We're sorry: your order {order_id} is running late with {carrier}.",),
            (
                (
                    "The new estimated delivery is {new_estimate}.",
                    "We'll let you know as soon as the carrier gives us a new delivery date.",
                ),
            ),
            ("Track your parcel: {tracking_url}",),
            ("Thank you for your patience.",),
        ),
        (K.THANK_YOU, Channel.SMS): sms(
            "Thank you for your order {order_id}!",
            "Your coupon for next time: {coupon_code}.",
            "How did we do? {review_url}",
        ),
        (K.THANK_YOU, Channel.EMAIL): email(
            "Thank you for your order {order_id}",
            ("Hi {recipient_name},",),
            ("Your order {order_id} has arrived. Thank you for shopping with us!",),
            ("As a thank-you, here is a coupon for your next order: {coupon_code}.",),
            ("We'd love to hear how it went: {review_url}",),
        ),
        (K.SLOT_CHOICE, Channel.SMS): sms(
            "Order {order_id} has reached your city.",
            (
                "Reply with the number of the delivery slot you want: {slots}.",
                "Choose a delivery slot: {tracking_url}",
            ),
            "If you don't reply by {choose_by}, slot 1 is confirmed.",
        ),
        (K.SLOT_CHOICE, Channel.EMAIL): email(
            "Choose a delivery slot for your order {order_id}",
            ("Hi {recipient_name},",),
            (
                "Good news: your order {order_id} has reached your city.",
                "Please choose when {carrier} should deliver it.",
            ),
            ("Available delivery slots:\n{slots}",),
            (
                (
                    "{slots:.0}Reply with the number of the slot you prefer, "
                    "or choose it using the tracking link: {tracking_url}",
                    "{slots:.0}Reply with the number of the slot you prefer.",
                    "Choose a delivery slot using the tracking link: {tracking_url}",
                ),
            ),
            ("If we don't hear from you by {choose_by}, we'll confirm slot 1.",),
        ),
        (K.SLOT_CONFIRMED, Channel.SMS): sms(
            (
                "Order {order_id} delivery confirmed: {window}.",
                "Order {order_id}: delivery slot confirmed.",
            ),
            "Courier: {courier}.",
        ),
        (K.SLOT_CONFIRMED, Channel.EMAIL): email(
            "Delivery slot confirmed for your order {order_id}",
            ("Hi {recipient_name},",),
            (
                (
                    "The delivery slot for your order {order_id} is confirmed: {window}.",
                    "The delivery slot for your order {order_id} is confirmed.",
                ),
            ),
            ("Your courier: {courier}.",),
            ("Track your parcel: {tracking_url}",),
        ),
        (K.SHOP_RETURN_NOTICE, Channel.SMS): sms(
            (
                "Order {order_id} not collected from {pickup_name} by {pickup_deadline}, "
                "returning to you.",
                "Order {order_id} not collected from {pickup_address} by {pickup_deadline}, "
                "returning to you.",
                "Order {order_id} not collected by {pickup_deadline}, returning to you.",
                "Order {order_id} not collected from {pickup_name}, returning to you.",
                "Order {order_id} not collected from {pickup_address}, returning to you.",
                "Order {order_id} not collected, returning to you.",
            ),
            "{carrier} {tracking_number}.",
        ),
        (K.SHOP_RETURN_NOTICE, Channel.EMAIL): email(
            "Order {order_id}: parcel not collected, returning to you",
            ("Hello,",),
            (
                "The parcel for order {order_id} ({carrier}, tracking number {tracking_number}) "
                "was not collected from the pickup point within the storage period "
                "and is being returned to you.",
            ),
            ("Pickup point: {pickup_point}.", "Storage deadline: {pickup_deadline}."),
            ("The customer, {recipient_name}, was reminded to collect it before the deadline.",),
            ("Follow the return: {tracking_url}",),
        ),
    },
    page={
        "page.title": "Order {order_id}: parcel tracking",
        "page.heading": "Your order {order_id}",
        "page.carrier": "Carrier",
        "page.tracking_number": "Tracking number",
        "page.delivery_kind": "Delivery",
        "page.times_in": "Times are shown in the {zone} time zone.",
        "page.private": "This page is just for you: please don't share its link.",
        "delivery.courier_next_day": "Courier, next day",
        "delivery.courier_multi_day": "Courier, on an agreed day",
        "delivery.pickup_point": "Collect from a pickup point",
        "status.heading": "Status",
        "status.since": "Since {time}",
        "status.shipped": "Shipped",
        "status.in_transit": "In transit",
        "status.out_for_delivery": "Out for delivery",
        "status.delivery_failed": "Delivery attempt failed",
        "status.available_for_pickup": "Ready for pickup",
        "status.delivered": "Delivered",
        "status.returned": "Returned to the shop",
        "status.exception": "Held up by a problem in transit",
        "status.cancelled": "Cancelled",
        "expected.window": "Delivery window",
        "expected.estimate": "Expected delivery",
        "closed.note": "This shipment is closed: there will be no more updates.",
        "live.unavailable": (
            "Some live details are unavailable right now, so this page shows the latest recorded "
            "information. Please try again later."
        ),
        "details.courier": "Your courier",
        "details.courier_name": "Name",
        "details.courier_phone": "Phone",
        "details.pickup": "Pickup point",
        "details.pickup_name": "Name",
        "details.pickup_address": "Address",
        "details.pickup_hours": "Opening hours",
        "details.pickup_code": "Pickup code",
        "details.pickup_deadline": "Collect by",
        "slots.heading": "Choose a delivery time",
        "slots.legend": "Available times",
        "slots.option": "Option {number}: {window}",
        "slots.choose_by": (
            "Please choose by {time}. If you don't, the first time is booked for you."
        ),
        "slots.default": "If you don't choose, the first time is booked for you.",
        "slots.submit": "Book this time",
        "reply.heading": "Will you be at home?",
        "reply.intro": (
            "Your courier is due: {window}. Please let them know whether you'll be there."
        ),
        "reply.confirm": "Yes, I'll be at home",
        "reply.reschedule": "No, choose another time",
        "reply.answered_confirm": "You told the courier you'll be at home ({time}).",
        "reply.answered_reschedule": "You asked for another time ({time}).",
        "pending.heading": "What happens next",
        "pending.courier_one_hour": "Your courier confirms the arrival time with a message",
        "pending.pickup_reminder": "A reminder to collect your parcel",
        "pending.pickup_final_warning": "A last reminder before the parcel goes back",
        "pending.delay_notice": (
            "If there's no news from the carrier by then, we'll tell you about the delay"
        ),
        "pending.slot_confirmed": "If you haven't chosen by then, the first offered time is booked",
        "pending.thank_you": "A thank-you message from the shop",
        "pending.storage_deadline": (
            "Last day to collect: after that the parcel goes back to the shop"
        ),
        "pending.other": "Message: {kind}",
        "pending.deferred": "{kind} ({channel}): held until the morning, we don't send at night",
        "route.heading": "Parcel journey",
        "route.empty": "No news from the carrier yet.",
        "route.late": "Reported late by the carrier",
        "route.latest": "Latest update",
        "route.storage_deadline": "Not collected in time: returned to the shop.",
        "notifications.heading": "Messages to you",
        "notifications.empty": "No messages yet.",
        "notifications.to": "To {recipient}",
        "notifications.planned_for": "Planned for {time}",
        "channel.sms": "SMS",
        "channel.email": "Email",
        "kind.shipped": "Shipping confirmation",
        "kind.out_for_delivery": "Out for delivery",
        "kind.delivery_failed": "Delivery attempt failed",
        "kind.available_for_pickup": "Ready for pickup",
        "kind.delivered": "Delivered",
        "kind.returned": "Return notice",
        "kind.courier_one_hour": "Courier's arrival confirmation",
        "kind.pickup_reminder": "Pickup reminder",
        "kind.pickup_final_warning": "Last pickup reminder",
        "kind.delay_notice": "Delay notice",
        "kind.thank_you": "Thank-you message",
        "kind.slot_choice": "Choice of delivery time",
        "kind.slot_confirmed": "Delivery time confirmed",
        "kind.shop_return_notice": "Return notice to the shop",
        "nstatus.planned": "Planned",
        "nstatus.sending": "Sending",
        "nstatus.sent": "Sent",
        "nstatus.delivered": "Delivered",
        "nstatus.undelivered": "Not delivered",
        "nstatus.failed": "Could not be sent",
        "nstatus.suppressed": "Not sent: message limit reached",
        "nstatus.superseded": "Not sent: no longer needed",
        "nstatus.delegated": "Sent by someone else",
        "nstatus.delegated_shop": "Sent by the shop",
        "nstatus.delegated_carrier": "Sent by the carrier",
        "notice.slot_chosen": "Thank you! Your delivery is booked for {window}.",
        "notice.slot_chosen_generic": "Thank you! Your delivery time is booked.",
        "notice.confirmed": "Thank you! The courier knows you'll be at home.",
        "notice.rescheduled": "Noted: you'd like another time. We'll offer you new delivery times.",
        "notice.refused": "Sorry, we couldn't take your answer: {reason}",
        "notice.refused_generic": (
            "Sorry, we couldn't take your answer. Please reload the page and try again."
        ),
        "notice.closed": "This shipment is closed, so it can't be changed any more.",
        "error.invalid.title": "This link doesn't work",
        "error.invalid.body": (
            "This tracking link is incomplete or has a mistake in it. Please open it again from "
            "your message from the shop."
        ),
        "error.expired.title": "This link has expired",
        "error.expired.body": (
            "This tracking link has expired. The latest link is in your most recent message from "
            "the shop."
        ),
        "error.not_found.title": "Parcel not found",
        "error.not_found.body": (
            "We couldn't find a parcel for this link. Please check your most recent message from "
            "the shop, or contact the shop."
        ),
        "error.unavailable.title": "Tracking is unavailable right now",
        "error.unavailable.body": (
            "We can't show your parcel right now. Please try again in a few minutes."
        ),
    },
    answers={
        "unclear_courier": (
            "Sorry, we didn't understand. Reply 1 if you are home, 2 to reschedule.",
        ),
        "unclear_slot": (
            "Sorry, we didn't understand. Reply with the number of the slot you want, 1 to "
            "{count}.",
            "Sorry, we didn't understand. Reply with the number of the slot you want.",
        ),
        "no_question": (
            "Thanks! We have no question waiting for your answer. For anything else, please "
            "contact the shop.",
        ),
        "refused": ("Sorry, we couldn't change your delivery. Please contact the shop.",),
        "closed": (
            "Sorry, the time to answer has passed. To change the delivery, please contact the "
            "shop.",
        ),
    },
    reply_words=ReplyWords(
        confirm=("yes", "y", "yeah", "yep", "yup", "ok", "okay", "sure", "confirm", "confirmed"),
        reschedule=("no", "n", "nope", "reschedule", "later"),
        negations=("not", "dont", "cant"),
        confirm_phrases=("home", "im home", "i am home", "at home", "im at home", "i am at home"),
        reschedule_phrases=(
            "not home",
            "im not home",
            "i am not home",
            "not at home",
            "another day",
            "other day",
        ),
    ),
)
