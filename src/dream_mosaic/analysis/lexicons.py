"""Hand-built lexicons for Hall & Van de Castle (1966) content categories.

Emotion classes follow HVdC chapter 10: anger (AN), apprehension (AP: fear, worry, anxiety,
embarrassment, guilt, nervousness), sadness (SD: also disappointment, loneliness, hurt), confusion (CO:
also surprise, puzzlement, amazement, wonder, uncertainty) and happiness (HA: also joy, relief,
contentment, pleasure). Each line is ``group: form form ...``; a form joins a phrase's words with ``_``.
A group may be a candidate for several classes (``AN,SD,AP``); the learned layer weighs each group per
class. Plain data, no I/O.
"""

from __future__ import annotations


def words(text: str) -> tuple[str, ...]:
    """The whitespace-separated words of a word list."""
    return tuple(text.split())


EMOTION_LEXICON = """
AN angry: angry angrier angriest angrily anger angered angering
AN furious: furious furiously fury infuriated infuriating infuriates
AN rage: rage raged raging enraged
AN irritated: irritated irritation irritable irate
AN annoyed: annoyed annoyance annoying annoys annoy
AN irked: irked irks vexed peeved miffed
AN outraged: outraged outrage incensed livid indignant indignation
AN resent: resent resented resentful resentment resenting
AN hostile: hostile hostility
AN exasperated: exasperated exasperation exasperating
AN disgusted: disgusted disgust disgusting repulsed revolted
AN hate: hate hated hates hating hatred loathe loathed despise despised
AN pissed: pissed pissed_off ticked_off teed_off fed_up
AN mad: mad madder maddest
AN bitter: bitter bitterly bitterness
AN jealous: jealous jealousy envious envy
AN fuming: fuming seething temper aggravated aggravating
AN grudge: grudge spite spiteful
AN belligerent: belligerent antagonistic antagonism detest detested detesting
AN displeased: displeased displeasure disapproving disapproved disapproval chastise chastised chastising
AP afraid: afraid
AP fear: fear feared fearing fears fearful fearfully
AP frightened: frightened frighten frightening frightens fright
AP scared: scared scare scares scaring scary scarier scariest
AP terrified: terrified terrify terrifying terror terrifies petrified
AP horrified: horrified horror horrors horrifying horrible
AP panic: panic panicked panicking panicky panics
AP anxious: anxious anxiously anxiety anxieties
AP nervous: nervous nervously nervousness jittery jumpy
AP worried: worried worry worries worrying worriedly
AP concerned: concerned concern
AP uneasy: uneasy uneasiness uncomfortable discomfort
AP tense: tense tensed tension
AP apprehensive: apprehensive apprehension dread dreaded dreading dreadful
AP alarmed: alarmed alarm alarming
AP embarrassed: embarrassed embarrassing embarrassment embarrass embarrasses
AP ashamed: ashamed shame shamed humiliated humiliation humiliating mortified
AP guilty: guilty guilt
AP shy: shy shyly timid bashful self_-_conscious
AP insecure: insecure insecurity intimidated threatened
AP creepy: creepy eerie spooky spooked ominous
AP freaked: freaked freaked_out freaking_out freak_out
AP stressed: stressed stress stressful
AP desperate: desperate desperately desperation
AP helpless: helpless helplessness
AP hysterical: hysterical hysteria
AP paranoid: paranoid suspicious wary leery
AP,CO startled: startled startle startling
AP frantic: frantic frantically flustered frenzied
AP disturbed: disturbed disturbing perturbed
AP worked_up: worked_up wound_up on_edge
AP screaming: screaming screamed scream screams
AP trembling: trembling trembled shaking shook shaky
AP nightmare: nightmare nightmares
SD sad: sad sadly sadness sadder saddened
SD unhappy: unhappy unhappiness
SD miserable: miserable misery
SD depressed: depressed depression depressing
SD disappointed: disappointed disappointment disappointing disappoint disappoints
SD hurt: hurt hurts hurting
SD lonely: lonely loneliness lonesome
SD sorrow: sorrow sorrowful grief grieving grieve grieved mourn mourned mourning
SD cry: cry cried crying cries
SD tears: tears tearful teary
SD weep: weep wept weeping sob sobbed sobbing sobs
SD heartbroken: heartbroken heartbreak heartbreaking broken_-_hearted heartsick heart_sick sick_at_heart
SD despair: despair despaired despondent dejected gloomy melancholy
SD homesick: homesick nostalgic
SD hopeless: hopeless hopelessness discouraged
SD devastated: devastated crushed
SD pity: pity sympathy sympathetic
SD miss: miss missed missing
CO confused: confused confusing confusion
CO puzzled: puzzled puzzling puzzlement perplexed bewildered bewilderment baffled mystified
CO surprised: surprised surprise surprising surprisingly
CO amazed: amazed amazement amazing amazingly
CO astonished: astonished astonishment astonishing astounded astounding
CO stunned: stunned dazed disoriented
CO shocked: shocked shock shocking
CO wonder: wonder wondered wondering wonders
CO curious: curious curiosity
CO uncertain: uncertain uncertainty unsure undecided indecisive
CO doubt: doubt doubted doubtful doubting
CO strange: strange strangely
CO weird: weird odd peculiar
CO daze: daze in_a_daze
CO awe: awe awed
CO disbelief: disbelief incredulous
CO hesitant: hesitant hesitated hesitating hesitation ambivalent
CO lost: lost
CO not_know: didn't_know did_not_know don't_know do_not_know couldn't_figure didn't_understand
CO not_understand: couldn't_understand could_not_understand can't_understand don't_understand
CO cant_believe: couldn't_believe could_not_believe can't_believe cannot_believe
HA happy: happy happier happiest happily happiness
HA glad: glad gladly
HA pleased: pleased pleasure pleasing pleasant pleasantly
HA delighted: delighted delight delightful
HA joy: joy joyful joyous joyously overjoyed
HA elated: elated elation ecstatic ecstasy euphoric exhilarated exhilarating exhilaration
HA thrilled: thrilled thrill thrilling
HA excited: excited excitedly excitement exciting excite
HA cheerful: cheerful cheerfully cheered cheery
HA content: content contented contentment
HA satisfied: satisfied satisfaction satisfying
HA relieved: relieved relief
HA proud: proud proudly pride
HA enjoy: enjoy enjoyed enjoying enjoys enjoyment enjoyable
HA fun: fun
HA laugh: laugh laughed laughing laughs laughter giggle giggled giggling
HA love: love loved loving loves lovely
HA grateful: grateful thankful gratitude
HA bliss: bliss blissful blissfully
HA wonderful: wonderful marvelous terrific
HA peaceful: peaceful peace serene calm
HA amused: amused amusing amusement funny
HA eager: eager eagerly hopeful
HA comfortable: comfortable cozy
AN,AP frustrated: frustrated frustration frustrating impatient impatiently impatience
AN,AP agitated: agitated agitation
SD,AP regret: regret regretted regrets regretful regretting
SD,AP sorry: sorry apologize apologized apologizing apologetic
SD dissatisfied: dissatisfied unsatisfied
AN,SD,AP upset: upset upsets upsetting
AP,SD distressed: distressed distress distressing
AP,SD awful: awful terrible terribly
SD,AP bad: bad
AP,CO shaken: shaken
HA,CO great: great
HA good: good
HA good_feeling: good_feeling feeling_good felt_good feel_good
AP chill: chill chills shiver shivers shivered
"""


def parse_lexicon(spec: str) -> list[tuple[tuple[str, ...], str, tuple[str, ...]]]:
    """Parse the lexicon into ``(classes, group, forms)`` rows; a form's words are joined by ``_``."""
    rows: list[tuple[tuple[str, ...], str, tuple[str, ...]]] = []
    for line in spec.strip().splitlines():
        head, _, forms = line.partition(":")
        classes, group = head.split()
        rows.append((tuple(classes.split(",")), group, tuple(forms.split())))
    return rows


EMOTION_ROWS = parse_lexicon(EMOTION_LEXICON)

NEGATORS = frozenset(
    words(
        "not no never without nor hardly barely neither nobody none n't didn't don't doesn't wasn't weren't "
        "isn't aren't couldn't can't cannot wouldn't won't shouldn't haven't hasn't hadn't ain't"
    )
)
FEEL_WORDS = frozenset(
    words(
        "feel feels felt feeling feelings sense sensed sensing became become becomes becoming got get gets "
        "getting grew grow"
    )
)
COPULAS = frozenset(words("was were am is are be been being seemed seem seems looked looks look appeared 'm 're"))
INTENSIFIERS = frozenset(
    words(
        "so very really extremely terribly quite too incredibly totally completely absolutely deeply "
        "awfully pretty rather somewhat slightly little bit kind sort most more"
    )
)
DETERMINERS = frozenset(words("a an the this that these those some any"))
FIRST_PERSON = frozenset(words("i me my myself mine we us our ourselves i'm i've i'd i'll we're we've"))
THIRD_PERSON = frozenset(
    words("he him his himself she her hers herself they them their themselves he's she's they're it")
)
WAKING_WORDS = frozenset(words("woke awoke awake awoken waking wake wakened"))
