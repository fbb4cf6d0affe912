"""Word and phrase banks for the training generator (`corpus.py`).

Written for this project (CC0). Each domain has its own things to talk about,
its own praise and complaints, and neutral context that real reviews carry, so
the model learns which words carry the sentiment and which only fill the text.
Polarity is an index: 0 NEGATIVE, 1 POSITIVE.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Domain:
    things: tuple[str, ...]      # subjects of "X was good"
    nouns: tuple[str, ...]       # "the best N I have ever ..."
    experienced: tuple[str, ...]  # "... I have ever <seen>"
    adjectives: tuple[tuple[str, ...], tuple[str, ...]]  # domain words [negative, positive]
    events: tuple[tuple[str, ...], tuple[str, ...]]      # whole clauses [negative, positive]
    context: tuple[str, ...]     # neutral sentences


DOMAINS = {
    "movie": Domain(
        things=("the movie", "this movie", "the film", "this film", "the plot", "the story", "the acting",
                "the cast", "the script", "the ending", "the soundtrack", "the dialogue", "the visuals",
                "the special effects", "the sequel", "the remake", "the lead actor", "the lead actress",
                "the characters", "the pacing", "the show", "this series", "the documentary",
                "the second half", "the cinematography", "the music", "the jokes", "the performances"),
        nouns=("movie", "film", "show", "comedy", "thriller", "series", "documentary"),
        experienced=("seen", "watched"),
        adjectives=(("predictable", "confusing", "slow", "dull", "cheesy", "pointless", "overlong",
                     "unfunny", "wooden", "lazy", "silly", "messy", "forgettable", "pretentious"),
                    ("gripping", "moving", "funny", "hilarious", "touching", "thrilling", "clever",
                     "heartfelt", "stunning", "powerful", "captivating", "entertaining", "gorgeous", "witty")),
        events=(("i dozed off before the end", "we left at the interval", "i was bored the whole time",
                 "i checked my phone every five minutes", "nothing happens for two hours",
                 "not one joke landed", "i did not care about any of the characters",
                 "the poster was the best part", "i want those two hours back",
                 "the plot makes no sense", "the whole cinema was bored"),
                ("i laughed until my sides hurt", "it kept me on the edge of my seat",
                 "i would watch it again tomorrow", "the whole cinema applauded at the end",
                 "i have seen it three times already", "the time flew by", "it gave me chills",
                 "the kids loved every minute", "it stayed with me for days",
                 "every scene is a pleasure to watch", "we could not stop talking about it")),
        context=("i watched it with my family", "we saw it at the cinema on friday", "i streamed it last night",
                 "my brother recommended it", "it is two and a half hours long", "i saw it in 3d",
                 "we went to the late show"),
    ),
    "restaurant": Domain(
        things=("the food", "the service", "our waiter", "the waitress", "the staff", "the pasta", "the pizza",
                "the steak", "the dessert", "the soup", "the coffee", "the menu", "this place", "the kitchen",
                "the burger", "the fries", "the salad", "the sushi", "the bread", "the wine", "the curry",
                "the breakfast", "the portions", "the prices", "the atmosphere", "the chef", "the cake", "the fish"),
        nouns=("restaurant", "meal", "pizza", "burger", "dinner", "cafe", "breakfast"),
        experienced=("had", "eaten", "tried"),
        adjectives=(("bland", "cold", "greasy", "stale", "undercooked", "overcooked", "soggy", "salty",
                     "tasteless", "overpriced", "rude", "dirty", "burnt", "dry", "tough", "sticky"),
                    ("delicious", "tasty", "fresh", "flavourful", "juicy", "generous", "cozy", "attentive",
                     "friendly", "crispy", "tender", "heavenly", "yummy", "authentic", "welcoming", "cheap")),
        events=(("the starters took forty minutes", "my order was wrong", "i got sick after eating there",
                 "nobody came to take our order", "there was a fly in my drink", "the waiter ignored us",
                 "they forgot half of our order", "we left hungry", "the manager did not even apologise",
                 "they charged us for drinks we never had"),
                ("the food came out quickly", "every dish was cooked perfectly", "we cleaned our plates",
                 "the staff made us feel welcome", "the chef came out to say hello",
                 "they made my birthday dinner special", "we are already planning our next visit",
                 "you can taste the quality", "the portions were huge", "it was worth every bite")),
        context=("we went there on a friday night", "we booked a table for four", "i ordered the lamb",
                 "we sat outside", "we came for lunch", "it is right next to the station",
                 "my wife had the vegetarian menu"),
    ),
    "hotel": Domain(
        things=("the room", "our room", "the staff", "the bed", "the breakfast", "the view", "the pool",
                "the location", "the bathroom", "the shower", "the lobby", "the check-in", "the reception",
                "the hotel", "this hotel", "the spa", "the gym", "the wifi", "the hosts", "the apartment",
                "the sheets", "the balcony", "the service", "the air conditioning", "the stay"),
        nouns=("hotel", "stay", "holiday", "room", "bed and breakfast", "resort"),
        experienced=("had", "stayed in", "booked"),
        adjectives=(("dirty", "filthy", "noisy", "cramped", "tiny", "smelly", "rude", "unhelpful", "broken",
                     "run down", "damp", "uncomfortable", "overpriced", "misleading", "cold"),
                    ("spotless", "clean", "quiet", "spacious", "comfortable", "cozy", "helpful", "peaceful",
                     "convenient", "relaxing", "welcoming", "modern", "beautiful", "warm", "central", "breathtaking")),
        events=(("we barely slept because of the noise", "the shower did not work", "they added hidden fees to the bill",
                 "our room was not ready", "there were ants in the kitchen", "the heating was never repaired",
                 "the walls are paper thin", "the pictures online are misleading",
                 "we had to change rooms twice", "the room smelled of smoke"),
                ("we slept really well", "the staff helped us with everything", "we felt at home",
                 "they upgraded our room for free", "we would happily return", "the breakfast had everything",
                 "everything was spotless", "our holiday there was magical", "it is close to everything",
                 "the owner gave us a lift to the airport")),
        context=("we stayed for three nights", "we were there in june", "we travelled with two kids",
                 "we booked it online", "it is a short walk from the beach", "we arrived late at night",
                 "we stayed there for a wedding"),
    ),
    "product": Domain(
        things=("the battery", "this phone", "the screen", "the keyboard", "the charger", "the build quality",
                "this laptop", "the camera", "the speaker", "the headphones", "the vacuum", "the blender",
                "the kettle", "the shoes", "this jacket", "the printer", "the watch", "the mattress",
                "the sound", "the delivery", "the packaging", "the product", "this item", "the price",
                "customer support", "the quality", "the instructions", "the material"),
        nouns=("phone", "laptop", "product", "purchase", "vacuum", "pair of headphones", "blender", "gadget"),
        experienced=("bought", "owned", "used"),
        adjectives=(("flimsy", "cheap", "broken", "faulty", "useless", "noisy", "slow", "uncomfortable",
                     "blurry", "tinny", "fragile", "defective", "overpriced", "unreliable", "confusing"),
                    ("sturdy", "reliable", "fast", "powerful", "quiet", "comfortable", "durable", "crisp",
                     "solid", "light", "elegant", "handy", "useful", "accurate", "affordable")),
        events=(("it died after ten days", "it snapped on day one",
                 "it arrived damaged", "it needs charging twice a day", "it overheats all the time",
                 "i had to return it", "it fell apart after a month", "it leaks everywhere",
                 "the second one had the same fault", "it does not work properly", "support never replied"),
                ("it works perfectly", "the battery lasts all day", "it arrived quickly",
                 "it has survived two house moves", "it handles all my daily tasks", "it was easy to set up",
                 "i use it every day", "it charges in no time", "it turned out far nicer than the photos",
                 "it is exactly as described", "i would buy it again")),
        context=("i bought it for my son", "i ordered it last month", "it came in a big box",
                 "i replaced my old one with it", "it comes in three colours", "i got it on sale",
                 "i have had it for a year"),
    ),
    "app": Domain(
        things=("this app", "the app", "the update", "the latest update", "the new version", "the interface",
                "the design", "the login", "the sync", "the notifications", "the premium version",
                "the subscription", "support", "the search", "the game", "this game", "the website",
                "the checkout", "the settings", "the camera feature", "the ads"),
        nouns=("app", "game", "website", "tool", "photo app", "service"),
        experienced=("used", "downloaded", "tried", "installed"),
        adjectives=(("buggy", "slow", "clunky", "confusing", "glitchy", "laggy", "ugly", "unusable",
                     "frustrating", "unstable", "bloated", "broken", "pointless", "annoying"),
                    ("intuitive", "fast", "smooth", "stable", "simple", "useful", "helpful", "clean",
                     "responsive", "polished", "handy", "reliable", "addictive", "fun")),
        events=(("it keeps crashing", "it hangs whenever i scroll", "my phone gets hot when it runs",
                 "it deleted my saved notes", "i cannot even log in", "it is full of ads",
                 "i have to sign in every single day", "half the features are missing", "it constantly asks for money",
                 "my files never reach my laptop", "support never answered"),
                ("it never crashes", "it syncs perfectly", "it saves me so much time",
                 "it makes my week so much simpler", "it delivers what the description says", "it was ready to use straight away",
                 "support answered within an hour", "it is part of my morning routine", "it runs smoothly on my old phone",
                 "the new features are great", "there are no annoying ads")),
        context=("i downloaded it last month", "i use it on my tablet", "my friend told me about it",
                 "it is free to download", "i have the android version", "i updated it yesterday",
                 "i use it for work"),
    ),
    "book": Domain(
        things=("the book", "this book", "the novel", "the story", "the writing", "the plot", "the characters",
                "the ending", "the author", "the main character", "the first chapter", "the prose",
                "the dialogue", "the sequel", "the audiobook", "the translation", "the illustrations",
                "the narrator", "this series", "the last chapter"),
        nouns=("book", "novel", "story", "read", "thriller", "biography"),
        experienced=("read", "finished"),
        adjectives=(("tedious", "predictable", "shallow", "clumsy", "confusing", "flat", "dull", "slow",
                     "pretentious", "awkward", "silly", "repetitive", "depressing", "pointless"),
                    ("gripping", "moving", "beautiful", "clever", "fascinating", "inspiring", "engaging",
                     "thoughtful", "witty", "uplifting", "charming", "haunting", "vivid", "insightful")),
        events=(("i could not finish it", "i stopped reading after three chapters", "nothing really happens",
                 "every chapter felt like homework", "i kept falling asleep reading it",
                 "the author did no research", "the cover came off in my bag", "i skipped whole chapters",
                 "nobody in my reading group liked it", "the twist was obvious from the start"),
                ("i could not put it down", "i finished it in a single night", "every chapter was a joy",
                 "it had me smiling for days", "i will miss these characters", "it taught me a lot",
                 "i have lent it to all my friends", "the twist took me by surprise",
                 "my book club loved it", "i want to read it again")),
        context=("i read it on holiday", "it was a gift from my sister", "i listened to the audiobook",
                 "it is the second book in the series", "i read it for my book club", "it is about 400 pages",
                 "i bought it at the airport"),
    ),
}

# General words of each polarity, usable in every domain.
ADJECTIVES = (
    ("bad", "terrible", "awful", "horrible", "dreadful", "poor", "disappointing", "mediocre", "boring",
     "dull", "useless", "pathetic", "atrocious", "abysmal", "lousy", "rubbish", "annoying", "frustrating",
     "disgusting", "unpleasant", "weak", "painful", "ridiculous", "overrated", "underwhelming",
     "subpar", "shoddy", "appalling", "miserable", "horrendous", "unacceptable", "a letdown"),
    ("good", "great", "excellent", "wonderful", "amazing", "fantastic", "brilliant", "superb", "lovely",
     "perfect", "awesome", "outstanding", "incredible", "terrific", "fabulous", "delightful", "pleasant",
     "nice", "enjoyable", "impressive", "beautiful", "solid", "marvellous", "exceptional", "splendid",
     "remarkable", "charming", "stunning", "top notch", "first class", "phenomenal", "a delight"),
)
# "it was a ..." / "what a ..."
NOUNS = (
    ("disaster", "mess", "joke", "nightmare", "waste of time", "waste of money", "rip off",
     "letdown", "disappointment", "scam", "failure", "total mess"),
    ("masterpiece", "gem", "treat", "delight", "pleasure", "joy", "triumph", "hidden gem",
     "real treat", "winner", "must", "bargain"),
)
INTENSIFIERS = ("very", "really", "so", "extremely", "incredibly", "absolutely", "truly", "quite",
                "super", "totally", "pretty", "utterly", "genuinely", "just", "especially")
BE = ("was", "is", "were", "are", "felt", "seemed", "looked", "turned out to be", "has been", "tasted", "sounded")
BE_NOT = ("was not", "wasn't", "is not", "isn't", "were not", "weren't", "was never", "did not seem",
          "didn't feel", "is never", "was not very", "wasn't particularly", "was not exactly")
# first person: the verb phrase carries the polarity
FEELINGS = (
    ("i hated", "we hated", "i did not like", "i didn't like", "i didn't enjoy", "we did not enjoy",
     "i disliked", "i could not stand", "i regret buying", "i regret choosing", "we regretted choosing",
     "i tried hard to like", "i can't recommend", "i would not recommend", "i wouldn't recommend",
     "nobody should waste money on", "i am done with", "we were let down by", "i was disappointed by",
     "i am sick of"),
    ("i loved", "we loved", "i really liked", "i enjoyed", "we really enjoyed", "i adored",
     "i absolutely love", "we can't get enough of", "i would recommend", "i highly recommend",
     "i can't recommend enough", "i am very happy with", "we were impressed by", "i am in love with",
     "i was blown away by", "my whole family loves", "i was pleasantly surprised by", "i'm so glad i chose"),
)
MOODS = (
    ("i was disappointed", "we were very disappointed", "i am not happy", "i was so annoyed", "we were bored",
     "i felt cheated", "i am really upset", "we were unhappy", "i was frustrated", "i'm not impressed",
     "we were not satisfied", "i'm very dissatisfied", "i was angry", "honestly i feel ripped off"),
    ("i was impressed", "we were very happy", "i am so pleased", "we were delighted", "i'm thrilled",
     "i was pleasantly surprised", "we had a great time", "i had a blast", "i am very satisfied",
     "we were thrilled", "i could not be happier", "i'm really glad", "we were amazed", "i felt spoiled"),
)
VERDICTS = (
    ("do not waste your money", "don't waste your time", "avoid it", "avoid at all costs", "not recommended",
     "never again", "we will never come back", "i will never buy it again", "save your money",
     "not worth it", "not worth the money", "i want my money back", "one star", "zero stars",
     "stay away", "skip this one", "do not buy", "i would not go back", "big mistake",
     "i returned it", "not worth a second look", "don't bother", "1 star", "what a waste",
     "this shop has lost a customer", "i would not come back if you paid me", "i will not be back",
     "i won't be ordering again", "never again, sorry", "i will not make that mistake again"),
    ("highly recommended", "i recommend it to everyone", "definitely worth it", "worth every penny",
     "we will be back", "i will definitely come back", "would buy again", "go see it", "five stars",
     "a must", "can't wait to go back", "ten out of ten", "absolutely worth it", "do not miss it",
     "buy it", "try it", "5 stars", "you won't regret it", "worth the money", "a must read",
     "we will definitely return", "thumbs up", "well done", "keep up the good work",
     "no complaints at all", "no problems at all", "nothing to complain about", "it ticks every box",
     "i have no regrets", "could not be better", "it was money well spent", "we will come back again"),
)
COMPARED_WITH = ("the original", "the first one", "my previous one", "the last one", "i expected",
                 "the reviews said", "any other place in town", "the book", "the previous version",
                 "everything else i have tried", "the competition", "last year")
COMPARISONS = (
    ("worse than", "much worse than", "nowhere near as good as", "not as good as", "far worse than",
     "a lot worse than", "not even close to"),
    ("better than", "much better than", "even better than", "as good as", "way better than",
     "far better than", "so much better than"),
)
# "it works <adverb>"
ADVERBS = (("badly", "poorly", "terribly", "horribly", "awfully", "barely", "painfully", "slowly",
            "like a cheap toy", "worse every day"),
           ("perfectly", "flawlessly", "beautifully", "brilliantly", "smoothly", "great", "well",
            "wonderfully", "like a charm", "better than ever"))
WORKS = ("works", "worked", "runs", "performs", "plays", "handles", "holds up", "was made", "is written", "was cooked")
# Neutral tails that follow a judgement: the sentiment is not always last.
TAILS = ("from the first minute to the last", "all the way through", "on my tablet", "for the money we paid",
         "for the price", "in the evening", "after a year", "this time", "for a short break",
         "in every way", "from the opening chapter", "in the first week", "for the whole family",
         "after all these years", "at all", "to be honest", "in my opinion", "for us",
         "compared to the others", "if you ask me", "every single time", "so far", "overall",
     "for a family of four", "in the winter", "on a busy saturday", "with the kids", "on the train",
     "in this town", "for a first date", "on a rainy afternoon", "after the update", "out of the box",
     "since day one", "for three nights", "during the week", "for my daughter", "in the long run")
SUPERLATIVES = (("the worst", "one of the worst", "easily the worst", "by far the worst"),
                ("the best", "one of the best", "easily the best", "by far the best", "my favourite"))
OPENERS = (
    ("", "honestly, ", "sadly, ", "unfortunately, ", "well, ", "to be honest, ", "overall, ", "wow. ",
     "i have to say ", "sorry, but ", "ugh. ", "seriously, ", "in short, "),
    ("", "honestly, ", "wow, ", "well, ", "to be honest, ", "overall, ", "thankfully, ", "i have to say ",
     "in short, ", "luckily, ", "seriously, ", "simply put, "),
)
# "X, but Y": a clause of the other polarity before the one that decides
TURNS = ("{a}, but {b}", "although {a}, {b}", "{a}. however, {b}", "{a}. but {b}", "{a}, yet {b}",
         "{a}, though {b}", "even though {a}, {b}")
# lead-ins that announce the polarity of what follows
LEADS = (
    ("i was hoping to enjoy it, but", "it started well, but", "i had high hopes, but",
     "it looked promising, but", "on paper it sounded great, but", "the reviews were good, but"),
    ("my expectations were low, but", "i was not sure at first, but", "it costs a bit more, but",
     "it took a while to get going, but", "i almost did not go, but", "i had my doubts, but"),
)
