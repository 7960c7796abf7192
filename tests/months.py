"""Month names as a person writes them after a day number («7 грудня», "7 December"): the
tests' own words, spelled out by hand (not the formats under test), shared so each test that
reads a date in words does not keep its own copy."""

MONTHS = {
    "uk": [
        "січня",
        "лютого",
        "березня",
        "квітня",
        "травня",
        "червня",
        "липня",
        "серпня",
        "вересня",
        "жовтня",
        "листопада",
        "грудня",
    ],
    "en": [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
}
