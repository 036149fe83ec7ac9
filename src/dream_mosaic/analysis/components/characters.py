"""Characters coded the Hall & Van de Castle way: number, sex, identity, age (e.g. ``1MKA``).

Lexicon rules over the regex tokens: kinship, friend, occupational and stranger nouns, animals and
creatures, capitalised personal names (sex from a short name list, a title, or the next he/she), and
groups. As in HVdC, each character is counted once per report (repeated mentions raise ``count``); the
dreamer is not a character. Plain Python, no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from ..lexicons import words
from ..pipeline import DreamDoc, register_component
from ..schemas import Character

VERSION = "1.34"


def _table(spec: str) -> dict[str, tuple[str, str, str, str]]:
    """``word word2: N S I A`` lines -> word -> (number, sex, identity, age)."""
    out: dict[str, tuple[str, str, str, str]] = {}
    for line in spec.strip().splitlines():
        words, _, code = line.partition(":")
        n, s, i, a = code.split()
        for w in words.split():
            out[w] = (n, s, i, a)
    return out


# identity: F father, M mother, X parents, B brother, T sister, H husband, W wife, A son, D daughter,
# C child (own), I infant, Y family members together, R other relative, K known, P prominent, O occupational,
# E ethnic, S stranger, U uncertain.  age: A adult, T teenager, C child, B baby.
HUMAN_NOUNS = _table(
    """
mother mom mommy mum mama momma ma: 1 F M A
father dad daddy pop papa: 1 M F A
parents folks: 2 J X A
brother: 1 M B A
brothers: 2 M B A
sister: 1 F T A
sisters: 2 F T A
siblings: 2 J R A
husband: 1 M H A
wife: 1 F W A
son: 1 M A A
sons: 2 M A A
daughter: 1 F D A
daughters: 2 F D A
aunt auntie grandmother grandma granny niece stepmother: 1 F R A
uncle grandfather grandpa nephew stepfather: 1 M R A
cousin: 1 I R A
cousins relatives aunts uncles grandparents in-laws: 2 J R A
family: 2 J Y A
friend roommate neighbor neighbour classmate coworker co-worker partner buddy pal playmate teammate \
  schoolmate housemate acquaintance: 1 I K A
friends roommates neighbors neighbours classmates coworkers co-workers teammates colleagues buddies pals \
  playmates schoolmates housemates acquaintances: 2 J K A
girlfriend fiancee: 1 F K A
boyfriend fiance: 1 M K A
girlfriends: 2 F K A
boyfriends: 2 M K A
boss supervisor: 1 I K A
policeman cop fireman salesman mailman postman soldier sailor waiter janitor priest minister captain \
  guard conductor: 1 M O A
policewoman waitress nurse secretary maid saleslady nun stewardess receptionist housekeeper: 1 F O A
doctor teacher professor officer clerk driver pilot lawyer judge dentist cashier instructor coach \
  surgeon bartender cook chef servant detective agent principal therapist psychiatrist: 1 I O A
police cops soldiers policemen guards sailors firemen: 2 M O A
officers nurses doctors teachers waiters servants: 2 J O A
foreman sheriff monk actor gangster bandit umpire: 1 M O A
rabbi pastor bishop butler landlord: 1 M O A
landlady: 1 F O A
pediatrician counselor plumber chauffeur babysitter: 1 I O A
bishops priests rabbis: 2 M O A
hostess actress: 1 F O A
lecturer tutor mechanic lifeguard official singer thief robber burglar crook kidnapper murderer: 1 I O A
foremen monks gangsters bandits crooks: 2 M O A
nuns: 2 F O A
officials singers thieves robbers burglars: 2 J O A
operator criminal: 1 I O A
employees clerks operators criminals: 2 J O A
couples: 2 J S A
king prince pope: 1 M P A
queen princess: 1 F P A
president celebrity: 1 I P A
man guy gentleman fellow gent dude: 1 M S A
men guys gentlemen fellows: 2 M S A
woman lady gal: 1 F S A
women ladies: 2 F S A
boy: 1 M S C
boys: 2 M S C
girl: 1 F S C
girls: 2 F S C
kid child toddler: 1 I S C
kids children: 2 J S C
baby infant: 1 I S B
babies: 2 J S B
teenager teen: 1 I S T
teenagers teens: 2 J S T
stranger: 1 I S A
strangers: 2 J S A
person: 1 I S A
couple: 2 J S A
someone somebody: 1 I U A
people crowd audience group gang mob students passengers customers guests crew team: 2 J U A
""".replace("\\\n", " ")
)
for _k, _v in list(HUMAN_NOUNS.items()):
    if _v[1] == "I" and _v[2] in {"S", "U"} and _k in {"person", "someone", "somebody"}:
        HUMAN_NOUNS[_k] = (_v[0], "I", "U" if _k != "person" else "S", "A")
HUMAN_NOUNS["folks"] = ("2", "J", "X", "A")
# sex implied by a modifier: "a male nurse", "an old lady"
_SEX_MODIFIER = {"male": "M", "female": "F"}

ANIMALS = frozenset(
    words("""dog dogs puppy puppies cat cats kitten kittens horse horses pony cow cows bull bird birds snake snakes
    spider spiders bug bugs insect insects fish mouse mice rat rats bear bears lion lions tiger tigers
    wolf wolves monkey monkeys elephant elephants pig pigs chicken chickens duck ducks rabbit rabbits
    bunny deer fox foxes bee bees ant ants frog frogs turtle whale whales shark sharks animal animals
    goat goats sheep lamb squirrel squirrels owl eagle crow crows alligator crocodile lizard bat bats
    dolphin dolphins butterfly butterflies fly flies worm worms cattle calf donkey mule camel giraffe
    zebra gorilla ape kangaroo hamster parrot goldfish puppy hen rooster roach cockroach beetle wasp
    dinosaur dinosaurs""")
)
CREATURES = frozenset(
    words("""monster monsters ghost ghosts alien aliens vampire vampires dragon dragons demon demons devil angel
    angels zombie zombies witch witches giant giants unicorn mermaid fairy fairies creature creatures
    robot robots spirit spirits""")
)
_PLURAL_ANIMAL_SUFFIX = ("s",)

MALE_NAMES = frozenset(
    words("""john jon james jim jimmy robert bob bobby michael mike william bill billy david dave richard dick
    joseph joe thomas tom tommy charles charlie chris christopher daniel dan danny matthew matt mark paul
    steven steve andrew andy kenneth ken kevin brian george edward ed eddie ronald ron timothy tim jason
    jeff jeffrey ryan jacob gary nicholas nick eric jonathan stephen larry justin scott brandon frank
    benjamin ben gregory greg samuel sam raymond ray patrick pat alexander alex jack dennis jerry tyler
    aaron henry peter harold douglas doug adam nathan nate zachary walter kyle carl arthur gerald roger
    keith jeremy terry lawrence sean christian albert joe ralph roy louis eugene russell bobby howard
    fred phil philip tony anthony donald don leonard leo lenny hank harry howie marty martin al allan
    alan alfred bert burt chuck clark curt dean derek dwight earl ernie floyd glen glenn gordon hal
    herb herbert ivan jake jerome joel karl lee lloyd lou luke max mitch neil norm norman oscar otto
    perry pete randy rick ricky rob rod rodney ross roger rudy stan stanley ted teddy todd tom vince
    wally warren wayne will willie blake elvis abe abraham""")
)
FEMALE_NAMES = frozenset(
    words("""mary patricia linda barbara barb elizabeth liz beth jennifer jenny maria susan sue margaret maggie
    dorothy lisa nancy karen betty helen sandra donna carol ruth sharon michelle laura sarah kimberly kim
    deborah debbie jessica shirley cynthia angela melissa brenda amy anna rebecca virginia kathleen kathy
    pamela pam martha debra amanda stephanie carolyn christine marie janet catherine cathy frances ann
    anne joyce diane alice julie heather teresa doris gloria evelyn jean cheryl mildred katherine kate
    joan ashley judith judy rose janice kelly nicole judy christina emma emily ellen eleanor edith ethel
    florence grace hazel irene jane janet jill joanne josephine june lillian lois louise lucy marilyn
    marjorie megan molly norma pauline peggy phyllis rachel rita rosemary sally sylvia thelma vera
    vivian wanda wendy yvonne bea beatrice reta dora ida ella ellie polly lila lily lynn lynne marge
    marcia maureen meg nell nora olive paula penny priscilla rosa roberta sheila stella tina trudy
    valerie veronica vicky vicki carla carrie connie dana dawn denise diana elaine gail gina holly
    jackie jo kay kristen kristin leah lorraine lori marsha mona nina patty renee rhonda robin shannon
    sheryl susie tammy terri tracy ruby hilda greta gretchen heidi ingrid""")
)


@cache
def _name_dictionary() -> Any:
    import gender_guesser.detector  # about 40,000 given names by country (Jörg Michael's list), offline

    return gender_guesser.detector.Detector(case_sensitive=False)


_GUESSED_SEX = {"male": "M", "mostly_male": "M", "female": "F", "mostly_female": "F", "andy": "I"}


def sex_of_given_name(name: str) -> str | None:
    """"M", "F", "I" (a given name of either sex: Pat) or None (no given name at all: Rochester), for a name
    the short lists above do not hold; as used in the USA first ("Eli" is a man's name there), else anywhere
    ("Esme")."""
    d = _name_dictionary()
    guess = d.get_gender(name, "usa")
    if guess in ("andy", "unknown"):
        anywhere = d.get_gender(name)
        guess = guess if anywhere == "unknown" else anywhere
    return _GUESSED_SEX.get(guess)


_TITLES = {
    "mr": "M",
    "mister": "M",
    "mrs": "F",
    "miss": "F",
    "ms": "F",
    "dr": "I",
    "aunt": "F",
    "uncle": "M",
    "sir": "M",
    "madam": "F",
    "lady": "F",
    "lord": "M",
}
_ABBREVIATED_TITLES = frozenset(words("mr mrs ms dr"))
# Capitalised words that begin the name of a place or an institution: the capital after them is no person.
_PLACE_HEADS = frozenset(
    words("""hotel camp lake fort mount mt port cape west east north south western eastern northern southern
    new ohio st university college school hall park church hospital center building store mountain
    island beach street city avenue road county lakeside riverside""")
)
_NOT_NAMES = frozenset(
    words("""i i'm i've i'd i'll god oh ok okay yes no mom dad mother father the a an and but then so when while
    we he she they it this that there here what why how who my his her our their your you me us them
    monday tuesday wednesday thursday friday saturday sunday january february march april may june july
    august september october november december christmas easter thanksgiving english french german
    american america american's spanish italian chinese japanese russian mexican indian african jewish
    catholic christian english bible tv dr mr mrs ms st street city avenue road county hall school
    university college church park lake river hotel hospital center building store mountain island
    beach north south east west new old big little dream dreams bl alabama alaska arizona arkansas
    california colorado connecticut delaware florida georgia hawaii idaho illinois indiana iowa kansas
    kentucky louisiana maine maryland massachusetts michigan minnesota mississippi missouri montana
    nebraska nevada ohio oklahoma oregon pennsylvania tennessee texas utah vermont washington wisconsin
    wyoming york jersey carolina dakota chicago boston london paris rome berlin canada mexico europe
    england france germany italy spain china japan russia africa asia india ireland scotland israel
    hollywood manhattan vegas angeles francisco cleveland erie detroit toledo miami ford chevy
    chevrolet cadillac buick toyota honda volkswagen vw coke pepsi digest times post""")
)
_PLACE_AFTER = frozenset(
    words("""cafe assn association group drugs orthodox falls synagogue temple society institute inc co corp
    department dept center centre bank market shop shops motors airlines magazine times news show
    city street st avenue ave road rd county hall school university college church park lake river
    hotel hospital center building store mountain mountains island beach state states high bay valley
    airport station mall restaurant cafe library theater theatre club company house gym administration
    stadium auditorium arena chapel cathedral museum zoo square plaza bridge tower tavern pub diner cinema
    gallery campus apartments boulevard blvd dorm dormitory roads ballroom sales inn motel lodge lounge bar""")
)
_COMMON_CAPITALISED = frozenset(
    words("""also finally later just see note are all section math truth mass general bulletin scandal
    relativity maybe after before now then suddenly meanwhile again however yes well oh hey hello
    please thanks thank yeah sure wow anyway still yet soon next first second third last once perhaps
    somehow somewhere everyone someone something nothing everything anything nobody people some many
    most much more several both each every either neither other another such what which who whom whose
    where when why how while though although because since until unless if than that this these those
    there here it its he she they we you me him her us them my your his our their mine yours hers ours
    theirs one two three four five six seven eight nine ten hundred thousand am pm tv radio internet
    mom dad mommy daddy grandma grandpa sir madam lady ma'am baby honey dear darling love heaven hell
    christ jesus lord satan god church mass bible prayer sunday""")
    # prepositions capitalised after a lost full stop: "the war now In class"
    + words("in on at of for with to from by as into onto over under about"),
)
ETHNIC = frozenset(
    words("""arab arabs israeli israelis afghan afghans turk turks german germans mexican mexicans chinese
    japanese indian indians african africans negro negroes russian russians frenchman frenchmen
    italian italians irishman englishman asian asians hispanic hispanics jew jews gypsy gypsies
    oriental orientals eskimo eskimos""")
)
_NOT_NAME_SUFFIXES = (
    "ic",
    "ian",
    "ism",
    "ist",
    "ity",
    "tion",
    "sion",
    "ese",
    "ish",
    "ead",
    "ness",
    "ment",
    "ing",
    "ful",
    "ous",
    "ive",
    "able",
    "ible",
    "ary",
    "ory",
)
# Prominent people (HVdC "P": famous persons the dreamer does not know personally), fictional and
# legendary figures included: surnames or single names, matched on the last word of a name ("Harry
# Truman", "Truman", "Beethoven's") or on a whole name ("harry potter").
PROMINENT = frozenset(
    words("""beethoven mozart bach chopin brahms wagner handel haydn schubert tchaikovsky verdi puccini
    shakespeare dickens twain hemingway steinbeck faulkner tolstoy dostoevsky kafka dickinson frost poe
    einstein newton darwin freud jung edison galileo copernicus picasso rembrandt michelangelo gogh
    monet renoir dali warhol leonardo napoleon caesar cleopatra hitler stalin mussolini churchill lenin
    marx gandhi mandela castro khrushchev gorbachev lincoln roosevelt truman eisenhower kennedy nixon
    carter reagan clinton obama bush trump jfk fdr ike washington jefferson elvis presley sinatra crosby
    lennon mccartney beatles jagger dylan madonna oprah streisand monroe gable bogart hepburn garbo
    chaplin cagney astaire rogers gibson stiller garner knightley barrymore bloom depp pitt cruise
    hanks travolta streep roberts newman redford brando dean romano danson chopra seinfeld letterman
    carson hope berle benny gleason sullivan eddy faye harris cosby winfrey jordan ali pele ruth dimaggio
    mantle gretzky tyson elizabeth diana charles pope jesus moses buddha mohammed muhammad santa claus
    potter voldemort hermione dumbledore snape gatsby pan pocahontas jafar aladdin cinderella snow
    superman batman spiderman tarzan dracula frankenstein sherlock holmes bond zorro hercules""")
)
_PROMINENT_FULL = frozenset(("harry potter", "peter pan", "santa claus", "james bond", "sherlock holmes"))
_NOT_NAMES_EXTRA = frozenset(
    words("""halloween hanukkah passover ramadan valentine protestant protestants lutheran methodist baptist
    mormon quaker buddhist muslim hindu catholic monopoly scrabble pontiac plymouth oldsmobile dodge
    chrysler mercedes porsche jeep nissan mazda subaru volvo bmw cheers olympics army navy marines
    corps force air dvd dvds cd cds hmm uh um""")
    # countries, regions and large cities (not those that are also given names: Florence, Victoria...)
    + words("""austria switzerland belgium holland netherlands denmark sweden norway finland poland hungary
    greece turkey egypt iran iraq syria lebanon arabia korea vietnam cambodia thailand burma
    philippines indonesia australia zealand brazil argentina chile peru colombia venezuela cuba haiti
    jamaica bahamas puerto rico guatemala honduras nicaragua panama alaska siberia scandinavia europe
    vienna munich hamburg frankfurt zurich geneva amsterdam brussels madrid barcelona lisbon athens
    istanbul cairo jerusalem moscow warsaw prague budapest dublin edinburgh glasgow venice milan naples
    tokyo peking beijing shanghai hong kong bombay delhi sydney toronto montreal vancouver quebec
    seattle portland denver dallas houston phoenix atlanta philadelphia pittsburgh baltimore cincinnati
    columbus milwaukee minneapolis omaha memphis nashville louisville richmond tucson sacramento oakland
    berkeley pasadena hawaii mankato""")
)
_CLERGY_TITLES = frozenset(words("father fr sister brother reverend rev pastor rabbi monsignor"))
_PLACE_BEFORE = frozenset(words("in at near into toward towards through across from visiting on"))
# (not "in front of": "in front of Dovre" is as often a person)
_PLACE_OF = frozenset({("corner", "of"), ("vicinity", "of")})
# what comes before "to" when a place follows: "went to", "ran down to", "back to"
_MOTION = frozenset(
    words("""went go goes going gone ran run runs running walked walk walks walking drove drive drives driving
    flew fly flies flying moved move came come comes coming headed head heads returned return returns
    traveled travelled travel hurried rushed raced back down up over out off home way trip""")
)
_NEW_MARKERS = frozenset(words("another other second third different new a an one"))
_MALE_PRON = frozenset(words("he him his himself he's"))
_FEMALE_PRON = frozenset(words("she her hers herself she's"))
FIRST_PERSON_SINGULAR = frozenset(words("i me my myself mine i'm i've i'd i'll"))


_DETERMINERS = frozenset(
    words("a an the this that these those some two three several many few big little small huge tiny")
    + words("my his her our their")
)
# words that are animals only after a determiner: "a fly", not "I could fly"; "the bat", not "bat an eye"
_AMBIGUOUS_ANIMALS = frozenset(words("fly flies bat bats bug bugs fish duck ducks bear seal crow worm ant"))
_SKIP_BACK = frozenset(words("my his her our their your the a an this that some little old young dead late own"))
_ABOUT = frozenset(words("about concerning resembled resembling resembles"))
_LIKE_VERBS = frozenset(words("looked look looks looking sounded sounds resembled acted"))
_OF_VERBS = frozenset(
    words("thinking thought think thinks reminded reminds remind remember remembered dreamed dreamt dream")
)
_DREAMER_IS = frozenset(words("i i'm we"))
_BE = frozenset(words("was am were be been being became become"))


_KNOWN_AFTER = (
    ("i", "know"),
    ("i", "knew"),
    ("i", "had", "known"),
    ("i", "have", "known"),
    ("i've", "known"),
    ("i", "recognized"),
    ("i", "recognize"),
    ("i", "had", "worked"),
    ("i", "worked"),
    ("i", "work", "with"),
    ("i", "work", "for"),
    ("i", "used", "to"),
    ("i", "went", "with"),
    ("i", "go", "with"),
    ("i", "dated"),
    ("i", "date"),
    ("i", "had", "dated"),
    ("i", "have", "dated"),
    ("i", "had", "been", "dating"),
    ("i", "have", "been", "dating"),
    ("i", "was", "dating"),
    ("i", "am", "dating"),
    ("i", "had", "been", "going", "with"),
    ("i", "have", "been", "going", "with"),
    ("i", "was", "going", "with"),
    ("i", "like"),
    ("i", "liked"),
    ("i", "went", "to", "school"),
    ("used", "to"),  # "a girl that used to live next door to us"
    ("he", "used", "to"),  # "a girl he used to go with"
    ("she", "used", "to"),
    ("works", "in", "my"),  # "the other girl who works in my office"
    ("works", "with", "me"),
    ("lives", "next", "door"),
    ("lived", "next", "door"),
    ("live", "in", "my"),  # "a group of girls who live in my dormitory"
    ("lives", "in", "my"),
    ("lived", "in", "my"),
    ("live", "on", "my"),  # "the boys who live on my floor"
    ("lives", "on", "my"),
    ("lived", "on", "my"),
    ("from", "my"),
    ("from", "high", "school"),
    ("from", "school"),
    ("from", "college"),
    ("from", "work"),
    ("from", "church"),
    ("from", "the", "office"),
    ("from", "home"),
    ("from", "class"),
    ("from", "our"),
    ("from", "the", "dorm"),
    ("with", "whom", "i"),
)


# "a group of friends", "a crowd of people": the people after "of" are the character
_OBJECT_PRONOUNS = frozenset(words("me us him her them it you"))
_GROUP_OF = frozenset(words("family group team crew gang couple crowd mob audience"))
_KNOWN_ADVERBS = frozenset(words("also really once first already previously actually"))


# The dreamer's own circles: "a girl in my dormitory", "a boy on our floor", "one of the girls at the dorm".
_OWN_GROUPS = frozenset(
    words("""dorm dormitory dorms class classes school college floor hall corridor office church sorority
    fraternity club choir team section unit department neighborhood neighbourhood""")
)


# HVdC's family identities: father, mother, parents, brother, sister, husband, wife, son, daughter, the
# family together, another relative
_KIN = frozenset("FMXBTHWADYR")
# what "family" only qualifies: "the family car", "a family friend"
_FAMILY_THINGS = frozenset(
    words("""doctor doctors physician dentist lawyer car cars station heirloom heirlooms house home room business
    tree name dog cat farm friend friends album photo photos picture pictures""")
)
_HOUSES = frozenset(words("dorm dormitory sorority fraternity"))


def _known_after(lowers: list[str], i: int) -> bool:
    """A stranger noun the report says the dreamer knows: "a girl (whom/that) I know", "a boy from my class",
    "a girl in my dormitory" (not "a man in my room": a room, unlike a dormitory, is no circle of people)."""
    j = i + 1
    if j < len(lowers) and lowers[j] == "(" and ")" in lowers[j : j + 6]:
        j += lowers[j : j + 6].index(")") + 1  # past a note: "a fellow (16) whom I know"
    if lowers[j : j + 2] in ([",", "whom"], [",", "who"]):
        j += 1  # "a Mather girl, whom I know slightly"
    if j < len(lowers) and lowers[j] in {"whom", "that", "who"}:
        j += 1
    if lowers[j : j + 1] == ["i"] and lowers[j + 1 : j + 2] and lowers[j + 1] in _KNOWN_ADVERBS:
        lowers = lowers[: j + 1] + lowers[j + 2 :]  # "a girl who I also know"
    if any(tuple(lowers[j : j + len(p)]) == p for p in _KNOWN_AFTER):
        return True
    if lowers[j : j + 1] not in (["in"], ["on"], ["at"], ["of"]) or lowers[j + 2 : j + 3] == []:
        return False
    group = lowers[j + 2]
    # "girls in the dorm" is the dreamer's own dorm as surely as "in my dorm"; "a man in the office" is not
    if lowers[j + 1] == "the":
        return group in _HOUSES
    return lowers[j + 1] in {"my", "our"} and group in _OWN_GROUPS


def _absent(lowers: list[str], i: int) -> bool:
    """A person named but not present in the dream: talked about, thought of, resembled, or the dreamer
    described ("when I was a little girl")."""
    if lowers[i + 1 : i + 2] == ["-"] and lowers[i + 2 : i + 3] and lowers[i + 2].startswith(("sit", "sat")):
        return True  # "baby-sitting": a job, not a baby
    j = i - 1
    while j >= 0 and i - j <= 3 and lowers[j] in _SKIP_BACK:
        j -= 1
    if j < 0:
        return False
    w = lowers[j]
    if w in _ABOUT:
        return True
    if w == "like" and j > 0 and lowers[j - 1] in _LIKE_VERBS:
        return True
    if w == "of" and j > 0 and (lowers[j - 1] in _OF_VERBS or (j > 1 and lowers[j - 2] in _OF_VERBS)):
        return True
    if w == "as" and j < i - 1 and lowers[j + 1] in {"a", "an"} and lowers[i] in _YOUNG_SELF:
        return True  # "the street where I had lived as a child": the dreamer then
    # "I was a girl", "we were the students" (a determiner between): the dreamer, not another character
    return w in _BE and j > 0 and lowers[j - 1] in _DREAMER_IS and j < i - 1


_BE_PREDICATE = frozenset(words("am is are was were be been being 're 'm we they"))
# "looking for someone", "go out with someone", "to find someone": someone sought or imagined
_SOUGHT = frozenset(words("looking look looks searching search waiting wait out to go going date dating"))
_YOUNG_SELF = frozenset(words("child kid boy girl baby teenager teen youngster youth"))


_PREDICATE_GAP = frozenset(words("with to by for from at on in of and or but than like as that who whom not"))


# Before a capitalised word of no known sex, these say it is a place: "at Abington", "the city of Pompeii",
# "send to Rochester", "strolling down Abington" (a known name after them is still a person: "to Jim").
_PLACE_PREPOSITIONS = frozenset(words("in at from near into toward towards through outside inside of to down"))


# ... but after these, "to" leads to a person: "I talked to Brindle", "she introduced me to Quill".
_TO_SOMEONE = frozenset(
    words("""talk talks talked talking say says said saying speak speaks spoke speaking write writes wrote
    writing listen listens listened listening introduce introduces introduced introducing explain explains
    explained explaining mention mentions mentioned complain complains complained reply replies replied
    answer answers answered wave waves waved waving nod nods nodded smile smiles smiled show shows showed
    give gives gave giving hand hands handed handing belong belongs belonged married engaged next close me
    him her us them it this that""")
)


# Nouns that say only that someone is a man or a woman: "the man" after "a policeman" is most often
# the policeman.
_PLAIN_PEOPLE = frozenset(words("man woman guy fellow lady gentleman"))


def _named_before(before: list[Mention], base: str, prev: str) -> Mention | None:
    """The character a definite "the person", "the man", "the child" most likely refers back to, if any."""
    if prev not in {"the", "this", "that"}:
        return None
    plain = base in _PLAIN_PEOPLE and prev == "the" and not any(m.key == base for m in before)
    young = base in {"child", "kid", "baby", "infant"}
    if base != "person" and not plain and not young:
        return None
    sex = HUMAN_NOUNS[base][1]
    for m in reversed(before):
        if m.kind != "human" or m.number != "1":
            continue
        if (
            base == "person"
            or (plain and m.sex == sex and m.identity in {"S", "U", "O", "E"})
            or (young and m.age in {"C", "B"})
        ):
            return m
    return None


def _again(m: Mention, i: int) -> Mention:
    """Another mention, at token ``i``, of the character ``m`` names (so "she", "the person" resolve to it)."""
    return Mention(m.key, m.number, m.sex, m.identity, m.age, m.kind, i, i)


def _possessive(token: str) -> bool:
    return token.endswith("'s") and token[:-2].isalpha()


def _described_by(before: list[Mention], lowers: list[str], i: int, number: str) -> Mention | None:
    """The character a noun after "he was", "she is", "they were" describes ("he was a tall man"), if one
    of that sex and number was named before; such a noun names no new character."""
    j = i - 1
    while j >= 0 and i - j <= 4 and lowers[j] not in _BE:
        if lowers[j] in _PREDICATE_GAP or not (lowers[j].isalpha() or _possessive(lowers[j])):
            return None  # an owner may stand between: "he was my girlfriend's father"
        j -= 1
    if j < 1 or lowers[j] not in _BE or (j == i - 1 and number == "1"):
        return None  # a determiner at least: "he was a man", not "he was man enough"; "they were students"
    subject = lowers[j - 1]
    wanted = {"he": ("1", "M"), "she": ("1", "F"), "they": ("2", ""), "it": ("1", "")}.get(subject)
    if wanted is None or wanted[0] != number:
        return None
    for m in reversed(before):
        if m.kind == "human" and m.number == number and (not wanted[1] or m.sex in {wanted[1], "I"}):
            return m
    return None


@dataclass
class Mention:
    key: str
    number: str
    sex: str
    identity: str
    age: str
    kind: str
    first: int
    last: int

    @property
    def code(self) -> str:
        if self.kind == "animal":
            return f"{self.number}ANI"
        if self.kind == "creature":
            return f"{self.number}CZZ"
        return f"{self.number}{self.sex}{self.identity}{self.age}"


def find_mentions(doc: DreamDoc) -> list[Mention]:
    toks = doc.tokens
    doc.scratch["lower_words"] = {t.text for t in toks if t.text.islower() and len(t.text) > 2}
    cast: dict[str, str] = doc.scratch.get("cast", {})
    lowers = [t.lower for t in toks]
    out: list[Mention] = []
    described_at: set[int] = set()  # nouns that describe a character named before ("he was my father")
    i = 0
    n = len(toks)
    while i < n:
        w = lowers[i]
        base = w[:-2] if w.endswith("'s") else w
        prev = lowers[i - 1] if i > 0 else ""
        nxt_tok = toks[i + 1] if i + 1 < n else None
        if (
            base in _CLERGY_TITLES
            and toks[i].is_title
            and nxt_tok is not None
            and nxt_tok.is_title
            and nxt_tok.text[:1].isalpha()
            and lowers[i + 1] not in _NOT_NAMES
        ):
            sex = "F" if base == "sister" else "M"
            key = "name:" + lowers[i + 1].replace("'s", "")
            out.append(Mention(key, "1", sex, "K", "A", "human", i, i + 1))
            i += 2
            continue
        if (
            base in {"fr", "rev"}
            and toks[i].is_title
            and i + 2 < n
            and lowers[i + 1] == "."
            and toks[i + 2].is_title
            and lowers[i + 2] not in _NOT_NAMES
        ):
            # "Fr. Zachary": one priest, not "Fr" and "Zachary"
            out.append(Mention("name:" + lowers[i + 2].replace("'s", ""), "1", "M", "K", "A", "human", i, i + 2))
            i += 3
            continue
        if base in ETHNIC and (
            base.endswith("s")
            or prev in {"a", "an", "the", "two", "some", "three"}
            or (base in {"chinese", "japanese"} and prev in {"a", "the", "some"})
        ):
            num = "2" if base.endswith("s") or prev in {"two", "some", "three"} else "1"
            out.append(Mention("eth:" + base, num, "J" if num == "2" else "I", "E", "A", "human", i, i))
            i += 1
            continue
        if (base in HUMAN_NOUNS or base in ANIMALS) and _absent(lowers, i):
            i += 1  # "I told him about my mother", "a man who looked like my father", "when I was a girl"
            continue
        # kinship with possessive "my" etc. or any human noun
        if base in HUMAN_NOUNS:
            if base in {"ma", "pop", "mum", "lady", "fellow", "gal", "partner", "date", "agent"} and (
                prev not in {"my", "our", "the", "a", "his", "her"}
            ):
                i += 1
                continue
            if base in _GROUP_OF and i + 1 < n and lowers[i + 1] == "of":
                i += 1
                continue
            if base == "family" and lowers[i + 1 : i + 2] and lowers[i + 1] in _FAMILY_THINGS:
                i += 1  # "our family doctor", "the family car": the family is not there
                continue
            if _generic_plural_owner(lowers, i, w, base):
                i += 1  # "the men's room", "the ladies' lounge", "children's toys": a kind of thing, no one there
                continue
            if base in {"someone", "somebody"} and (w.endswith("'s") or lowers[i + 1 : i + 2] == ["else's"]):
                i += 1  # "someone's house", "borrow someone else's": an owner, not someone there
                continue
            if (
                base in {"someone", "somebody"}
                and lowers[i + 1 : i + 2] == ["to"]
                and lowers[i + 2 : i + 3]
                and lowers[i + 2] not in _DETERMINERS | _OBJECT_PRONOUNS
            ):
                i += 1  # "I'd have someone to talk to", "I needed someone to help me": wished for, not there
                continue
            if base in {"someone", "somebody"} and (
                (prev in {"for", "find", "with"} and i > 1 and lowers[i - 2] in _SOUGHT)
                or lowers[i + 1 : i + 2] in (["might"], ["would"], ["could"], ["may"])
                or lowers[i + 1 : i + 3] in (["who", "can"], ["who", "could"], ["who", "would"])
            ):
                i += 1  # "looking for someone", "going out with someone", "someone might bring": no one there
                continue
            if base == "people" and (
                lowers[i - 2 : i] == ["of", "all"] or lowers[i + 1 : i + 3] in (["like", "me"], ["like", "us"])
            ):
                i += 1  # "she of all people", "people like me": a manner of speaking, no one there
                continue
            if base == "friends" and (prev in _BE_PREDICATE or "none" in lowers[max(0, i - 3) : i]):
                i += 1  # "we are friends", "aren't we friends", "none of my friends were there": no one new
                continue
            if base == "person" and (prev in {"each", "every", "such", "only"} or lowers[i - 2 : i] == ["such", "a"]):
                i += 1  # "to each person", "marry such a person", "the only person going down was me": no one new
                continue
            named_before = _named_before(out, base, prev)
            if named_before is not None:
                # "someone behind me ... the person came closer", "a policeman ... sending the man reeling",
                # "hold the baby ... he took the child": the one named before, mentioned again
                out.append(_again(named_before, i))
                i += 1
                continue
            if base in {"anyone", "anybody"} and prev in {"not", "n't", "didn't", "no"}:
                i += 1
                continue
            num, sex, ident, age = HUMAN_NOUNS[base]
            if prev in _SEX_MODIFIER:
                sex = _SEX_MODIFIER[prev]
            if prev in {"old", "older", "elderly"} and age != "A":
                age = "A"
            if ident in {"S", "U", "O"} and prev in {"my", "our"}:
                ident = "K"  # "my instructor", "our teacher": someone the dreamer knows, not a role alone
            if ident in _KIN:
                # "his mother", "Richard's father", "the parents of a boy I know": someone else's family
                ident = _family_of_someone_else(out, lowers, i) or ident
            if base in {"baby", "infant"} and lowers[i + 1 : i + 2] in (["boy"], ["girl"]):
                # "a baby boy": one baby, a boy
                out.append(Mention(base, num, "M" if lowers[i + 1] == "boy" else "F", ident, age, "human", i, i + 1))
                i += 2
                continue
            if ident in {"S", "K"} and i + 1 < n and lowers[i + 1] in {"friend", "friends"} and sex in {"M", "F"}:
                # "a girl friend", "my boy friends": one known character, not a stranger and a friend
                num = "2" if lowers[i + 1] == "friends" else num
                out.append(Mention(base + "friend", num, sex, "K", "A", "human", i, i + 1))
                i += 2
                continue
            if prev in {"fraternity", "sorority", "frat"} and ident in {"B", "T"}:
                ident = "K"  # "a fraternity brother": a known character, not the dreamer's brother
            if ident in {"S", "U"} and _known_after(lowers, i):
                ident = "K"  # "a girl I know", "a boy from my high school"
            if ident == "S" and num == "2" and prev == "the" and _HOUSES & doc.scratch["lower_words"]:
                ident = "K"  # "the girls" in a report about the dreamer's dorm or sorority: the girls there
            # an owner ("he was my girlfriend's father") is not what the sentence says he is
            described = None if _possessive(lowers[i]) else _described_by(out, lowers, i, num)
            if described is not None:
                # "Someone came in. He was a tall man.": the man is that someone, not a second character
                if described.sex == "I":
                    described.sex = sex
                if (described.identity in {"S", "U"} and ident not in {"S", "U"}) or (
                    ident in _KIN and described.identity == "K"
                ):
                    described.identity = ident  # "He was my brother": the brother
                    if ident in _KIN and not described.key.startswith("name:"):
                        described.key = base  # "a woman ... it was my mother ... my mother": one character
                described_at.add(i)
                i += 1
                continue
            out.append(Mention(base, num, sex, ident, age, "human", i, i))  # "Mother" as a name: the same key
        elif base in ANIMALS and (base not in _AMBIGUOUS_ANIMALS or prev in _DETERMINERS):
            num = (
                "2"
                if (base.endswith("s") and base not in {"fish", "bus"}) or base in {"mice", "sheep", "cattle"}
                else "1"
            )
            out.append(Mention(base.rstrip("s") if num == "2" else base, num, "", "", "", "animal", i, i))
        elif base in CREATURES:
            num = "2" if base.endswith("s") else "1"
            out.append(Mention(base.rstrip("s"), num, "", "", "", "creature", i, i))
        elif _is_name(toks, lowers, doc, i):
            j = i
            while (
                j + 1 < n
                and toks[j + 1].is_title
                and lowers[j + 1] not in _NOT_NAMES
                and lowers[j + 1] not in _PLACE_AFTER
                and toks[j + 1].sent == toks[i].sent
            ):
                j += 1
            if j + 1 < n and lowers[j + 1] in _PLACE_AFTER:
                i = j + 2
                continue
            name = " ".join(lowers[k] for k in range(i, j + 1)).replace("'s", "")
            sex = "I"
            title = _title_before(toks, lowers, i)
            if title in _TITLES:
                sex = _TITLES[title]
            first_name = lowers[i].replace("'s", "")
            if first_name in MALE_NAMES:
                sex = "M"
            elif first_name in FEMALE_NAMES:
                sex = "F"
            given = sex_of_given_name(first_name) if sex == "I" else None
            if given in ("M", "F"):
                sex = given  # Hannah, Kylie, Tristan, Reynaldo: names the short lists lack
            elif sex == "I" and len(first_name) > 3 and first_name.endswith(("a", "ine", "elle")):
                sex = "F"  # Paulina, Charla, Geraldine, Danielle: English given names ending so are mostly women's
            if lowers[j].endswith("'s") and (j + 1 >= n or not lowers[j + 1][:1].isalpha()) and cast.get(name) is None:
                i = j + 1  # "in front of Moe's.", "reminded me of Taylor's)": a shop or a house, no one in it
                continue
            if sex == "I" and given is None and i > 0 and lowers[i - 1] in _PLACE_PREPOSITIONS \
                    and not (lowers[i - 1] == "to" and i > 1 and lowers[i - 2] in _TO_SOMEONE) \
                    and cast.get(name) is None and cast.get(first_name) is None:
                i = j + 1  # "at Abington", "the city of Pompeii", "to Moe's": no given name, so a place
                continue
            ident = "K"
            last_name = lowers[j].replace("'s", "")
            if name in _PROMINENT_FULL or (last_name in PROMINENT and (i < j or not _is_listed(first_name))):
                ident = "P"  # Beethoven, Harry Truman, Marilyn Monroe
            surname_of = next(
                (m for m in reversed(out)
                 if m.key.startswith("name:") and m.last > m.first and lowers[m.last].replace("'s", "") == name),
                None,
            ) if i == j else None
            declared = cast.get(name) or cast.get(first_name)
            if surname_of is not None:  # "Paul Robeson ... Robeson": the one named in full before
                out.append(_again(surname_of, i))
            elif declared:  # the dreamer said who this is: {"mary": "1FWA"}
                out.append(_declared(declared, "name:" + name.split()[0], i, j, sex))
            else:
                out.append(Mention("name:" + name.split()[0], "1", sex, ident, "A", "human", i, j))
            i = j + 1
            continue
        i += 1
    _apply_notes(out, lowers)
    _resolve_sex(out, lowers)
    return _merge_appositions(_without_absent_owners(out, lowers, described_at), lowers)


def _without_absent_owners(mentions: list[Mention], lowers: list[str], described_at: set[int]) -> list[Mention]:
    """Drop a person named only to say whose relative someone is ("Richard's mother told me", "my
    friend's father"): HVdC codes the characters present, and such an owner named once is not shown to be
    (unlike the owner of a feeling or a house: "my brother's anger", "my mother's house. She hugged me")."""
    keys = [m.key for m in mentions]
    starts = {m.first for m in mentions if m.kind == "human"} | described_at
    return [
        m
        for m in mentions
        if not (
            m.kind == "human" and lowers[m.last].endswith("'s") and m.last + 1 in starts and keys.count(m.key) == 1
        )
    ]


_APPOSITION_GLUE = frozenset({",", "named", "called", "whose", "-", "("})
# what may stand between a name and the noun that describes it: "Herb, a good old friend of mine"
_APPOSITION_NOUN_GLUE = frozenset(
    words("a an my our the his her their close good old best dear former young younger older elderly little tall")
)
# which identity says more about one person named by two nouns: family, then known, then a role, then none
_IDENTITY_RANK = {**{k: 4 for k in _KIN}, "K": 3, "P": 2, "O": 2, "E": 2, "S": 1, "U": 1}


def _one_person_noun(m: Mention) -> bool:
    """One human named by a noun, not a name: "my sister", "a man", "a friend of mine"."""
    return m.kind == "human" and m.number == "1" and not m.key.startswith("name:")


def _continues_list(lowers: list[str], i: int) -> bool:
    """Does a list go on after token ``i`` ("a man, a friend and a dog"): then the nouns are several people."""
    after = lowers[i + 1 : i + 3]
    return after[:1] in (["and"], ["or"]) or (after[:1] == [","] and after[1:] in (["and"], ["or"], ["a"], ["an"]))


def _merge_appositions(mentions: list[Mention], lowers: list[str]) -> list[Mention]:
    """ "my sister Ginny", "a man named Keith", "my friend, Sue": one character, not two."""
    out: list[Mention] = []
    for m in mentions:
        prev = out[-1] if out else None
        if (
            prev is not None
            and m.key.startswith("name:")
            and _one_person_noun(prev)
            and 0 < m.first - prev.last <= 3
            and all(w in _APPOSITION_GLUE for w in lowers[prev.last + 1 : m.first])
        ):
            if prev.sex == "I" and m.sex != "I":
                prev.sex = m.sex
            # a stranger stays a stranger though named ("a man named Keith": the coders code him U, not K)
            prev.key = m.key  # later mentions of the name are this character
            prev.last = m.last
            continue
        relative = lowers[m.last + 1 : m.last + 2] in (["who"], ["whom"], ["that"])
        if (
            prev is not None
            and prev.key.startswith("name:")
            and _one_person_noun(m)
            and (m.identity not in {"S", "U", "O", "E"} or relative)
            and 1 < m.first - prev.last <= (7 if relative else 4)
            and lowers[prev.last + 1] in {",", "("}
            and all(
                w in _APPOSITION_GLUE or w in _APPOSITION_NOUN_GLUE or (relative and (w.isdigit() or w == ")"))
                for w in lowers[prev.last + 2 : m.first]
            )
        ):
            # "Norma (18), a girl who resides in my dormitory": with a clause that says who, one person
            # "Herb, a friend of mine", "Gilbert (a close friend of mine)", "Ann, my sister": the name says
            # who, the noun what they are to the dreamer
            if prev.sex == "I":
                prev.sex = m.sex
            if (m.identity != "K" or prev.identity in {"S", "U"}) and m.identity not in {"S", "U", "O", "E"}:
                prev.identity = m.identity
            continue
        if (
            prev is not None
            and prev.kind == m.kind == "human"
            and prev.key.startswith("name:")
            and m.key.startswith("name:")
            and prev.key != m.key
            and lowers[prev.last + 1 : m.first] in (["and"], [","], [",", "and"])
            and lowers[m.last + 1 : m.last + 2] not in (["'s"], ["is"], ["was"], ["has"], ["does"], ["says"])
        ):
            # "Hannah and Margo", "Esme, Hannah, and Margo": named together, the coders code one group (not
            # "working for Dr. Ashh and Frank is impatient": a singular verb after them starts a clause)
            prev.sex = prev.sex if prev.sex == m.sex else "J"
            if prev.identity != m.identity:  # "Frank (husband) and Wendy (daughter)": family members, X
                prev.identity = "X" if prev.identity in _KIN and m.identity in _KIN else "K"
            prev.number = "2"
            prev.last = m.last
            continue
        if (
            prev is not None
            and prev.kind == m.kind == "human"
            and prev.number == m.number == "2"
            and {prev.sex, m.sex} == {"M", "F"}
            and lowers[prev.last + 1 : m.first] == ["and"]
            and prev.identity == m.identity
        ):
            # "boys and girls", "men and women": one mixed group
            prev.sex = "J"
            prev.last = m.last
            continue
        if (
            prev is not None
            and _one_person_noun(prev)
            and _one_person_noun(m)
            and (prev.sex == "I" or m.sex in {"I", prev.sex})
            and 1 < m.first - prev.last <= 5
            and lowers[prev.last + 1] in {",", "("}
            and all(w in _APPOSITION_NOUN_GLUE for w in lowers[prev.last + 2 : m.first])
            and not _continues_list(lowers, m.last)
        ):
            # "a small girl, an acquaintance of mine", "another person, a man of about 40", "a high school
            # teacher, a man about 45": one character, of the kind the more telling noun says
            if prev.sex == "I":
                prev.sex = m.sex
            if _IDENTITY_RANK.get(m.identity, 0) > _IDENTITY_RANK.get(prev.identity, 0):
                prev.identity = m.identity
            prev.last = m.last
            continue
        out.append(m)
    return out



def _declared(code: str, key: str, first: int, last: int, name_sex: str = "I") -> Mention:
    """A name the dreamer declared. A relation that does not say the sex ("friend", "doctor": 1IKA, 1IOA)
    takes the one the name gives, as for any name: Hillary declared a friend is still a woman."""
    if code[1:] == "ANI":
        return Mention(key, code[0], "", "", "", "animal", first, last)
    if code[1:] == "CZZ":
        return Mention(key, code[0], "", "", "", "creature", first, last)
    sex = name_sex if code[1] == "I" and code[0] == "1" else code[1]
    return Mention(key, code[0], sex, code[2], code[3], "human", first, last)


def _family_of_someone_else(before: list[Mention], lowers: list[str], i: int) -> str:
    """The identity of a family noun at ``i`` that is someone else's ("his mother", "Gabby's mom", "the father
    of a friend"), or "" when it is the dreamer's. Their family is the owner's kind: the dreamer's relatives
    for the dreamer's family ("my mother's sister": R), strangers for a stranger's ("a girl ... her
    parents": S), people the dreamer knows otherwise (K). A pronoun is taken to be the last person of its
    sex named before it."""
    prev = lowers[i - 1] if i > 0 else ""
    if prev.endswith("'s") and prev != "one's":
        noun = HUMAN_NOUNS.get(prev[:-2])
        return _kind_of_owners_family(noun[2] if noun else "K", mine=lowers[i - 2 : i - 1] in (["my"], ["our"]))
    if prev in {"his", "her"}:
        sex = "M" if prev == "his" else "F"
        last = next((m for m in reversed(before) if m.kind == "human" and m.number == "1" and m.sex == sex), None)
        return _kind_of_owners_family(last.identity if last else "K", mine=False)
    if prev == "their":
        return "K"
    if lowers[i + 1 : i + 2] == ["of"]:
        j = i + 2
        mine = lowers[j : j + 1] in (["my"], ["our"])
        while j < len(lowers) and j <= i + 5 and lowers[j] in _OF_DETERMINERS:
            j += 1
        if j < len(lowers) and lowers[j] in {"mine", "ours"}:
            return ""  # "a brother of mine"
        noun = HUMAN_NOUNS.get(lowers[j]) if j < len(lowers) else None
        if noun is not None:
            return _kind_of_owners_family("K" if _known_after(lowers, j) else noun[2], mine=mine)
    return ""


_OF_DETERMINERS = frozenset(words("a an the this that my our his her their one some old good close best dear"))


def _kind_of_owners_family(owner: str, mine: bool) -> str:
    """The identity of the family of someone of identity ``owner`` (``mine``: "my friend's", "of my ...")."""
    if owner in _KIN:
        # the dreamer's family's family is the dreamer's relatives; a relative of someone else's is known
        return "K" if owner == "R" and not mine else "R"
    return "S" if owner in {"S", "U"} and not mine else "K"


_PRESENT_PARTS = frozenset(words("voice voices face faces eyes hands heads bodies laughter screams shouts feet"))


def _generic_plural_owner(lowers: list[str], i: int, w: str, base: str) -> bool:
    """Strangers in the plural named only as the owners of a kind of thing ("the men's room", "the ladies'
    lounge"); not their voices or faces, which are heard or seen, nor friends' or parents' things."""
    number, _sex, identity, _age = HUMAN_NOUNS[base]
    if number != "2" or identity not in {"S", "U"}:
        return False
    j = i + 1 if w.endswith("'s") else i + 2 if lowers[i + 1 : i + 2] == ["'"] else -1
    return 0 < j < len(lowers) and lowers[j] not in _PRESENT_PARTS


def _title_before(toks: list[Any], lowers: list[str], i: int) -> str:
    """The title just before token ``i``: "mr" in "Mr Jones" and in "Mr. Jones" (its stop is a token)."""
    j = i - 1
    if j > 0 and lowers[j] == "." and toks[j - 1].end == toks[j].start:
        j -= 1
    return lowers[j] if j >= 0 and lowers[j] in _TITLES else ""


def _is_name(toks: list[Any], lowers: list[str], doc: DreamDoc, i: int) -> bool:
    t = toks[i]
    if not t.is_title or not t.text[:1].isalpha():
        return False
    w = lowers[i].replace("'s", "")
    if w in doc.scratch.get("cast", ()):
        return True  # a name the dreamer declared
    if i > 1 and lowers[i - 1] == "." and _title_before(toks, lowers, i) in _ABBREVIATED_TITLES:
        return True  # "Mr. Jones", "Dr. Hall": a title makes the next capital a name
    if w in _NOT_NAMES or len(w) < 2:
        return False
    if w in _PLACE_HEADS or (i > 0 and toks[i - 1].is_title and lowers[i - 1] in _PLACE_HEADS):
        return False  # "Hotel Carter Ballroom", "Camp Wise", "West Va.", "Ohio Wesleyan": part of a place's name
    if t.text.isupper() and w not in MALE_NAMES and w not in FEMALE_NAMES:
        return False  # emphasis or an acronym, not a name
    if w in _COMMON_CAPITALISED or w in ETHNIC or w in _PLACE_AFTER:
        return False
    if w in _NOT_NAMES_EXTRA:
        return False  # holidays, churches, makes of car, games
    if w.endswith(_PLURAL_ENDINGS) and not _is_listed(w) and w not in PROMINENT:
        return False  # "Wednesdays", "Olympics", "DVDs", "Birkenstocks": plural nouns, not names
    if w not in MALE_NAMES and w not in FEMALE_NAMES and w.endswith(_NOT_NAME_SUFFIXES):
        return False  # Democratic, Presbyterian, Instead, Communism: adjectives and common nouns
    if w in doc.scratch.get("lower_words", ()):
        return False  # the same word also appears in lower case: a common word, not a name
    if i > 0 and lowers[i - 1] in {"the", "a", "an"}:
        return False  # "the Kendell", "a Columbine": a place or a thing
    if i > 0 and lowers[i - 1] in _PLACE_BEFORE and w not in MALE_NAMES and w not in FEMALE_NAMES:
        return False
    if i > 1 and tuple(lowers[i - 2 : i]) in _PLACE_OF and not _is_listed(w):
        return False  # "on the corner of Euclid", "in the vicinity of Euclid": a street
    if (
        i > 1
        and lowers[i - 1] == "to"
        and lowers[i - 2] in _MOTION
        and not _is_listed(w)
        and not lowers[i].endswith("'s")
        and not w.endswith(("a", "ine", "elle"))
    ):
        return False  # "ran down to Houk", "went back to Bundy": a destination, not a person
    sentence_initial = i == doc.sentences[t.sent].first_token or (
        i > 0 and lowers[i - 1] in {'"', "\u201c", ":", ";", "-", "(", "[", ".", "!", "?", "<", ">", "/"}
    )
    if sentence_initial:
        # sentence-initial capitals are names only when listed or followed by a verb-ish word
        return w in MALE_NAMES or w in FEMALE_NAMES
    return True


def _is_listed(name: str) -> bool:
    return name in MALE_NAMES or name in FEMALE_NAMES


# an unlisted capitalised word with a plural ending is a plural noun: "Wednesdays", "Olympics"
_PLURAL_ENDINGS = ("ys", "cs", "rs", "ds", "ts", "ns", "ks", "ms", "ps", "gs", "ls", "ws", "bs")


_NOTE_SEX = {"m": "M", "male": "M", "f": "F", "female": "F"}
_NOTE_WORDS = frozenset(words("age aged years year yrs old about approximately approx , ."))


def _apply_notes(mentions: list[Mention], lowers: list[str]) -> None:
    """Take the sex and age a report notes after a person, as the HVdC norm reports do: "a friend of mine
    (f, 20)", "my cousin (f, 5)", "the leader (m)", "a friend (25, m)", "my buddy (age 25, male)"."""
    for m in mentions:
        if m.kind != "human" or m.number != "1":
            continue
        for j in range(m.last + 1, min(len(lowers) - 2, m.last + 5)):
            if lowers[j] != "(":
                continue
            inside = lowers[j + 1 : j + 8]
            if ")" not in inside:
                break
            inside = inside[: inside.index(")")]
            if not all(w in _NOTE_SEX or w in _NOTE_WORDS or w.isdigit() for w in inside):
                break  # "(a fat ugly woman)", "(in my dream)": not a note of sex and age
            for w in inside:
                if w in _NOTE_SEX:
                    m.sex = _NOTE_SEX[w]
                elif w.isdigit():
                    years = int(w)
                    m.age = "B" if years < 2 else "C" if years < 13 else "T" if years < 18 else "A"
            break


def _resolve_sex(mentions: list[Mention], lowers: list[str]) -> None:
    """Give a singular human of unknown sex the sex of the next he/she before anyone else is named ("my
    roommate went to Michigan ... he asked me"; not "a friend and my sister ... she")."""
    starts = {m.first: m for m in mentions if m.kind == "human"}
    for m in mentions:
        if m.kind != "human" or m.number != "1" or m.sex != "I" or m.identity in {"U"}:
            continue
        for j in range(m.last + 1, len(lowers)):
            if lowers[j] in _MALE_PRON:
                m.sex = "M"
                break
            if lowers[j] in _FEMALE_PRON:
                m.sex = "F"
                break
            other = starts.get(j)
            if other is not None and other.key != m.key:
                break


def group_characters(doc: DreamDoc, mentions: list[Mention]) -> tuple[list[Character], dict[int, str]]:
    """One character per distinct referent; ``{token index: code}`` for every mention."""
    chars: list[Character] = []
    by_key: dict[str, int] = {}
    mention_codes: dict[int, str] = {}
    lowers = [t.lower for t in doc.tokens]
    for m in mentions:
        prev = lowers[m.first - 1] if m.first > 0 else ""
        new_marker = prev in _NEW_MARKERS and not m.key.startswith("name:")
        if m.key in by_key and not (new_marker and m.identity in {"S", "U", "O", "", "K"}):
            c = chars[by_key[m.key]]
            c.count += 1
            mention_codes[m.first] = c.code
            continue
        code = m.code
        start, end = doc.tokens[m.first].start, doc.tokens[m.last].end
        chars.append(
            Character(
                code=code,
                text=doc.text[start:end],
                span=(start, end),
                count=1,
                number="2" if m.number == "2" else "1",
                sex=m.sex if m.sex in {"M", "F", "J", "I"} else "",  # type: ignore[arg-type]
                identity=m.identity if m.kind == "human" else ("ANI" if m.kind == "animal" else "CZZ"),
                age=m.age,
                kind=m.kind,  # type: ignore[arg-type]
            )
        )
        by_key[m.key] = len(chars) - 1
        mention_codes[m.first] = code
    return chars, mention_codes


@register_component("characters", version=VERSION)
def make_characters() -> Any:
    def characters(doc: DreamDoc) -> None:
        mentions = find_mentions(doc)
        chars, codes = group_characters(doc, mentions)
        doc.scratch["mentions"] = mentions
        doc.scratch["mention_codes"] = codes
        doc.analysis.characters = chars
        doc.analysis.dreamer_present = any(
            t.lower in FIRST_PERSON_SINGULAR or t.lower in {"we", "us"} for t in doc.tokens
        )

    return characters
