"""Social interactions (HVdC aggression, friendliness, sexuality) from verb lexicons.

Initiator is the subject before the verb, recipient the object after it ("a man chased me": 1MSA -> D);
passives ("I was attacked by ...") swap them. Physical aggression (HVdC codes 5-8) is flagged. Each verb is
listed in every tense (a test checks it against lemminflect's tables), since many dreamers narrate in the
present. Stated anger or happiness toward a character is HVdC's covert aggression or friendliness
(``covert_feelings``). Another character's hostility with no one named in a sentence that mentions the
dreamer is toward the dreamer; a clause with no subject in a diary's telegraphic style is the dreamer's;
the contexts in which a matched form is no act at all are in ``_no_act_here``. A thing got or made for
someone is friendliness (``favours``: the person comes after "for", not after the verb).
"""

from __future__ import annotations

from bisect import bisect_left
from typing import Any

from ..indicators import FAMILY, parse_character
from ..lexicons import words
from ..pipeline import DreamDoc, register_component
from ..schemas import Interaction
from ._resolve import dreamer_in_sentence, object_after, resolve_token, subject_before
from .emotions import find_emotion_hits

VERSION = "1.30"

_PHYSICAL = words("""
hit hits hitting punch punched punching kick kicked kicking slap slapped slapping beat beating beaten stab
stabbed stabbing shoot shot shooting shoots kill killed killing kills murder murdered murdering attack
attacked attacking attacks chase chased chasing chases grab grabbed grabbing push pushed pushing shove shoved
strangle strangled choke choked choking bite bit bitten biting wrestle wrestled fought fight fighting tackle
tackled injure injured kidnap kidnapped capture captured arrest arrested pursue pursued pursuing hunt hunted
hunting strike struck whip whipped torture tortured poison poisoned drown drowned smash smashed throttle
throttled knife knifed spank spanked pinch pinched rape raped aim aimed fired_at shot_at threw_at throwing_at
raid raided tied_up dragged drag dragging knocked knock_down tripped jumped_on held_captive captivity
imprisoned trapped_me slashed after_me poke poked poking reached_for_me reached_for_him reached_for_her
reached_for_us reaches_for_me reaches_for_him reaches_for_her reaches_for_us reach_for_me reach_for_him
reach_for_her reach_for_us reaching_for_me reaching_for_him reaching_for_her reaching_for_us was_upon_me
was_upon_us was_upon_him was_upon_her were_upon_me were_upon_us were_upon_him were_upon_her is_upon_me
is_upon_us is_upon_him is_upon_her are_upon_me are_upon_us are_upon_him are_upon_her am_upon_me am_upon_us
am_upon_him am_upon_her be_upon_me be_upon_us be_upon_him be_upon_her been_upon_me been_upon_us
been_upon_him been_upon_her being_upon_me being_upon_us being_upon_him being_upon_her guarded guarding
thrown_in thrown_into threw_in threw_into throw_in
throw_into throwing_in throwing_into throws_in throws_into
ran_over_her ran_over_him ran_over_me ran_over_us ran_over_them run_over_her run_over_him run_over_me
run_over_us run_over_them runs_over_her runs_over_him runs_over_me runs_over_us runs_over_them
running_over_her running_over_him running_over_me running_over_us running_over_them shook_her
shook_him shake_her shake_him shakes_her shakes_him hurt_me hurt_him hurt_her hurts_me hurting_me locked_him
locked_her locked_me lock_him lock_her lock_me threw_me throws_me beheaded hanged execute executed punches
kicks slaps beats stabs murders grabs pushes shoving shoves strangling strangles chokes bites wrestling
wrestles fights tackling tackles injuring injures kidnaped kidnapping kidnaping kidnaps capturing captures
arresting arrests pursues hunts strikes whipping whips torturing tortures poisoning poisons drowning drowns
smashing smashes throttling throttles knifing knifes spanking spanks pinching pinches raping rapes aiming aims
firing_at shooting_at shoots_at shoot_at thrown_at throws_at throw_at raiding raids tying_up ties_up
tie_up drags knocking knocks knock knocked_down knocking_down knocks_down jumping_on jumps_on jump_on
holding_captive holds_captive hold_captive imprisoning imprisons imprison trapping_me traps_me trap_me
slashing slashes slash pokes shaken_her shaking_her shaken_him shaking_him hurting_him hurts_him
hurting_her hurts_her locking_him locks_him locking_her locks_her locking_me locks_me thrown_me throwing_me
throw_me beheading beheads behead executing executes
chased_after chasing_after chase_after chases_after
mauled beat_up beaten_up assaulted molested mugged ambushed massacred slaughtered butchered lynched trampled
ganged_up_on mauling mauls maul beating_up beats_up assaulting assaults assault molesting molests molest
mugging ambushing ambushes ambush massacring massacres massacre slaughtering slaughters slaughter
butchering lynching lynches lynch trampling tramples trample ganging_up_on gangs_up_on
gang_up_on
ran_me_over ran_him_over ran_her_over ran_us_over run_me_over running_me_over runs_me_over run_him_over
running_him_over runs_him_over run_her_over running_her_over runs_her_over run_us_over running_us_over
runs_us_over gaining_on_me gaining_on_us gained_on_me gains_on_me gain_on_me gained_on_us gains_on_us
gain_on_us lunged_at lunging_at lunges_at lunge_at came_at_me come_at_me coming_at_me comes_at_me
caught_me caught_us catching_me catches_me catch_me catching_us catches_us catch_us came_after coming_after
comes_after come_after came_for_me came_for_us coming_for_me comes_for_me come_for_me coming_for_us
comes_for_us come_for_us walloped walloping wallops wallop catch catches catching caught trap traps trapping
trapped""")
_VERBAL = words("""
yell yelled yelling yells shout shouted shouting scream screamed screaming argue argued arguing argument
quarrel quarreled quarrelled insult insulted insulting criticize criticized criticised criticizing scold
scolded scolding accuse accused accusing threaten threatened threatening curse cursed cursing blame blamed
blaming mock mocked mocking tease teased teasing glare glared refuse refused reject rejected ignore ignored
ignoring steal stole stolen stealing rob robbed robbing destroy destroyed destroying betray betrayed cheat
cheated snapped nagging nagged bossed sneered demanded demand ordered hollered holler lectured lecture
punished punish fired kicked_out excluded forbade forbid campused laughed_at made_fun complained complain
insisted warned scorned sued reported_me disapproved hated hates hate resent resented angry_at angry_with
mad_at furious_at furious_with annoyed_with annoyed_at irritated_with irritated_at upset_with disgusted_with
jealous_of glared_at yelled_at screamed_at shouted_at told_me_off told_him_off told_her_off argued_with
arguing_with quarreled_with forced forcing wouldn't_let won't_let didn't_let not_allowed wasn't_allowed
weren't_allowed bawled_out chewed_out swore_at cussed rude_to rude mean_to nasty_to snapped_at lied_to lied
lying disagreed an_argument argument_with had_words kicked_me_out threw_me_out throw_me_out kicked_him_out
kicked_her_out asked_me_to_leave told_me_to_leave told_me_to_get_out sent_me_away turned_me_down turned_down
disobeyed accuses demands demanding insists insisting complaining complains criticizes criticising scolds
bossing bossy ordering orders sarcastic laughing_at laughs_at made_fun_of making_fun_of glaring glares snubbed
shunned ignores rejects refuses refusing wouldn't_speak wouldn't_talk won't_talk wouldn't_listen dumped
broke_up_with breaking_up_with divorce divorced cheated_on cheating_on tricked fooled blackmail blackmailed
threatens accusing_me blames scorning belittled humiliated embarrassed_me teasing_me disapprove disapproves
hostile contempt hating got_angry was_angry became_angry gets_angry got_mad was_mad gets_mad don't_like
didn't_like doesn't_like dislike disliked dislikes pull_away pulled_away pulls_away walked_away_from
walk_away_from walks_away_from moved_away_from moves_away_from turned_away_from rejecting tell_them_to
told_them_to told_him_to told_her_to tell_him_to tell_her_to tells_him_to tells_her_to bawled_me_out
bawling_me_out bawls_me_out bawled_him_out bawled_her_out balled_me_out chewed_me_out chewing_me_out
chews_me_out chewed_him_out chewed_her_out snarled snarling snarls growled growling growls didn't_care_for
doesn't_care_for was_annoyed am_annoyed felt_annoyed got_annoyed get_annoyed i'm_annoyed is_annoyed
were_annoyed was_irritated am_irritated felt_irritated got_irritated resentment looked_angry looks_angry
looked_mean looks_mean frowned_at frowns_at scowled scowling scowls shouts screams argues quarrelling
quarreling quarrels insults criticises criticise curses mocks teases steals robs destroys betraying betrays
cheating cheats snapping snaps snap nags nag sneering sneers sneer hollering hollers lecturing lectures
punishing punishes firing kicking_out kicks_out kick_out excluding excludes exclude forbad forbidden
forbidding forbids laugh_at making_fun makes_fun make_fun insist warning warns warn scorns scorn reporting_me
reports_me report_me disapproving resenting resents
annoying_with annoys_with annoy_with annoying_at annoys_at annoy_at irritating_with irritates_with
irritate_with irritating_at irritates_at irritate_at upsetting_with upsets_with disgusting_with disgusts_with
disgust_with glaring_at glares_at glare_at yelling_at yells_at yell_at screaming_at screams_at scream_at
shouting_at shouts_at shout_at telling_me_off tells_me_off tell_me_off telling_him_off tells_him_off
tell_him_off telling_her_off tells_her_off tell_her_off argues_with argue_with quarrelled_with
quarrelling_with quarreling_with quarrels_with quarrel_with bawling_out bawls_out bawl_out chewing_out
chews_out chew_out sworn_at swearing_at swears_at swear_at snapping_at snaps_at snap_at lying_to
disagreeing disagrees disagree having_words has_words have_words kicking_me_out kicks_me_out kick_me_out
thrown_me_out throwing_me_out throws_me_out kicking_him_out kicks_him_out kick_him_out kicking_her_out
kicks_her_out kick_her_out asking_me_to_leave asks_me_to_leave ask_me_to_leave telling_me_to_leave
tells_me_to_leave tell_me_to_leave telling_me_to_get_out tells_me_to_get_out tell_me_to_get_out
sending_me_away sends_me_away send_me_away turning_me_down turns_me_down turn_me_down turning_down turns_down
turn_down disobeying disobeys disobey makes_fun_of make_fun_of snubbing snubs snub shunning shuns shun dumping
broken_up_with breaks_up_with break_up_with divorcing divorces cheats_on cheat_on tricking blackmailing
told_me_not_to told_him_not_to told_her_not_to told_us_not_to told_them_not_to telling_me_not_to
tells_me_not_to tell_me_not_to telling_him_not_to tells_him_not_to tell_him_not_to telling_her_not_to
tells_her_not_to tell_her_not_to telling_us_not_to tells_us_not_to tell_us_not_to telling_them_not_to
tells_them_not_to tell_them_not_to
said_no saying_no says_no say_no left_me_out left_us_out left_him_out left_her_out leaving_me_out leaves_me_out
leave_me_out leaving_us_out leaves_us_out leave_us_out leaving_him_out leaves_him_out leave_him_out
leaving_her_out leaves_her_out leave_her_out
didn't_want_me didn't_want_us doesn't_want_me doesn't_want_us don't_want_me don't_want_us
follows_me followed_me following_me follow_me
would_not_let would_not_allow will_not_let will_not_allow wouldn't_allow didn't_allow
ridiculed ridiculing ridicules ridicule scoffed_at scoffing_at scoffs_at scoff_at
blackmails accused_me accuses_me accuse_me belittling belittles belittle humiliating humiliates humiliate
embarrassing_me embarrasses_me embarrass_me teased_me teases_me tease_me gotten_angry getting_angry get_angry
be_angry were_angry being_angry been_angry am_angry are_angry is_angry become_angry becoming_angry
becomes_angry gotten_mad getting_mad get_mad be_mad were_mad being_mad been_mad am_mad are_mad is_mad
disliking pulling_away walking_away_from moving_away_from move_away_from turning_away_from turns_away_from
turn_away_from telling_them_to tells_them_to telling_him_to telling_her_to bawl_me_out bawling_him_out
bawls_him_out bawl_him_out bawling_her_out bawls_her_out bawl_her_out
chew_me_out chewing_him_out chews_him_out chew_him_out chewing_her_out chews_her_out chew_her_out snarl growl
be_annoyed being_annoyed been_annoyed are_annoyed feeling_annoyed feels_annoyed feel_annoyed gotten_annoyed
getting_annoyed gets_annoyed be_irritated were_irritated being_irritated been_irritated are_irritated
is_irritated feeling_irritated feels_irritated feel_irritated gotten_irritated getting_irritated
gets_irritated get_irritated looking_angry look_angry looking_mean look_mean frowning_at frown_at scowl
reprimanded rebuked turned_me_away turned_us_away quizzed questioned_me interrogated deserted_me abandoned_me
picked_on bullied harassed pestered bothered_me stood_me_up left_without_me pushed_me_away reprimanding
reprimands reprimand rebuking rebukes rebuke turning_me_away turns_me_away turn_me_away turning_us_away
turns_us_away turn_us_away broke_into break_into breaks_into breaking_into broken_into took_it_away_from
take_it_away_from takes_it_away_from taking_it_away_from taken_it_away_from swore swearing objects_to
objected_to object_to objecting_to snatch snatches snatched snatching
quizzing quizzes quiz questioning_me questions_me question_me interrogating
interrogates interrogate deserting_me deserts_me desert_me abandoning_me abandons_me abandon_me picking_on
picks_on pick_on bullying bullies bully harassing harasses harass pestering pesters pester bothering_me
bothers_me bother_me standing_me_up stands_me_up stand_me_up leaving_without_me leaves_without_me
leave_without_me pushing_me_away pushes_me_away push_me_away""")
_FRIENDLY = words("""
help helped helping helps hug hugged hugging hugs embrace embraced embracing comfort comforted comforting gave
give gives giving invite invited inviting welcome welcomed greet greeted greeting smiled smile smiling waved
wave compliment complimented praise praised thank thanked thanking protect protected rescue rescued rescuing
save saved saving visit visited visiting offer offered offering share shared sharing introduced introduce
married marry marries befriend befriended consoled console forgave forgive congratulated congratulate cheered
took_care taking_care fed feed cared_for asked_me_to_dance danced_with dancing_with asked_me_out dated dating
bought_me brought_me drove_me took_me taking_me escorted walked_me showed_me held_my_hand held_hands
holding_hands defended defend supported encouraged encourage listened_to treated liked likes danced dancing
dance said_hello say_hello says_hello shook_hands shake_hands shaking_hands went_out_with going_out_with
go_out_with played_with playing_with waved_to smiled_at kind_to nice_to friendly_to friendly applauded
clapped_for welcomes gift gifts love loved loves fond_of cared_about felt_sorry_for sorry_for proposed
engaged_to got_engaged asked_me_to asked_him_to asked_her_to lent loaned taught teaching_me teaches showed_him
showed_her showed_us let_me lets_me allowed_me thanks apologized apologize apologizing apologizes said_hi
say_hi said_goodbye say_goodbye kissed_goodbye waving smiles winked held_me holding_me hold_me arms_around
arm_around patted cuddled cuddling snuggled sympathized sympathetic reassured reassuring tried_to_help rescues
protects protecting carried_me carrying_me bought_him bought_her bought_us paid_for cooked_for made_dinner_for
waved_at invites inviting_me hello goodbye handed_me took_my_hand took_his_hand took_her_hand holding_my_hand
held_his_hand held_her_hand hand_in_hand shakes_hands shook_my_hand got_it_for_me like_each_other
liked_each_other hung_out hang_out hanging_out carried_him carry_him carry_her carried_her passed_it_to_me
cooking_for cooked_dinner_for comforts greets praises visits offers shares feeds saves supports encourages
forgives congratulates consoles good_-_bye good_bye said_good_-_bye say_good_-_bye held_her held_him hold_her
hold_him holding_her holding_him by_the_hand in_my_arms how_sorry escorts introduces befriends compliments
defends embraces given welcoming complimenting praising introducing marrying befriending consoling forgiven
forgiving congratulating cheering cheers cheer taken_care takes_care take_care feeding caring_for
cares_for care_for asking_me_to_dance asks_me_to_dance ask_me_to_dance dances_with dance_with asking_me_out
asks_me_out ask_me_out buying_me buys_me buy_me bringing_me brings_me bring_me driven_me driving_me drives_me
drive_me taken_me takes_me take_me escorting escort walking_me walks_me walk_me shown_me showing_me shows_me
show_me holds_my_hand hold_my_hand holds_hands hold_hands defending supporting support encouraging
listening_to listens_to listen_to treating treats treat liking dances saying_hello shaken_hands gone_out_with
goes_out_with plays_with play_with waving_to wave_to smiling_at smiles_at smile_at applauding applauds applaud
clapping_for claps_for clap_for gifted gifting loving caring_about cares_about care_about feeling_sorry_for
feels_sorry_for feel_sorry_for proposing proposes propose engaging_to engages_to engage_to gotten_engaged
getting_engaged gets_engaged get_engaged asking_me_to asks_me_to ask_me_to asking_him_to asks_him_to
ask_him_to asking_her_to asks_her_to ask_her_to lending lends lend loaning loans loan teaching teach taught_me
teaches_me teach_me shown_him showing_him shows_him show_him shown_her showing_her shows_her show_her shown_us
showing_us shows_us show_us letting_me allowing_me allows_me allow_me saying_hi says_hi saying_goodbye
says_goodbye kissing_goodbye kisses_goodbye kiss_goodbye winking winks wink holds_me
patting cuddles cuddle snuggling snuggles snuggle sympathizing sympathizes sympathize reassures
reassure trying_to_help tries_to_help try_to_help carries_me carry_me buying_him buys_him buy_him buying_her
buys_her buy_her buying_us buys_us buy_us paying_for pays_for pay_for cooks_for cook_for
making_dinner_for makes_dinner_for make_dinner_for waving_at wave_at invited_me invites_me invite_me
handing_me hands_me hand_me taken_my_hand taking_my_hand takes_my_hand take_my_hand taken_his_hand
taking_his_hand takes_his_hand take_his_hand taken_her_hand taking_her_hand takes_her_hand take_her_hand
holding_his_hand holds_his_hand hold_his_hand holding_her_hand holds_her_hand hold_her_hand handed_in_hand
handing_in_hand hands_in_hand shaken_my_hand shaking_my_hand shakes_my_hand shake_my_hand gotten_it_for_me
getting_it_for_me gets_it_for_me get_it_for_me liking_each_other likes_each_other hanged_out carrying_him
carries_him carrying_her carries_her passing_it_to_me passes_it_to_me pass_it_to_me cooking_dinner_for
cooks_dinner_for cook_dinner_for saying_good_-_bye says_good_-_bye holds_her holds_him
assisted brought_him brought_her brought_them brought_us read_to_him read_to_her read_to_them read_to_us
read_him read_her read_them assisting assists assist bringing_him brings_him bring_him bringing_her brings_her
bring_her bringing_them brings_them bring_them bringing_us brings_us bring_us reading_to_him reads_to_him
reading_to_her reads_to_her reading_to_them reads_to_them reading_to_us reads_to_us reading_him reads_him
reading_her reads_her reading_them reads_them
drove_him drove_her drove_them drove_us driven_him driving_him drives_him drive_him driven_her driving_her
drives_her drive_her driven_them driving_them drives_them drive_them driven_us driving_us drives_us drive_us
fell_in_love fallen_in_love falling_in_love falls_in_love fall_in_love picked_me_up picked_him_up
picked_her_up picked_us_up picking_me_up picks_me_up pick_me_up picking_him_up picks_him_up pick_him_up
picking_her_up picks_her_up pick_her_up picking_us_up picks_us_up pick_us_up babysat babysit babysitting
babysits like
paid_him_a_visit paid_her_a_visit paid_them_a_visit paid_us_a_visit paid_me_a_visit wished_him_luck
wished_him_well wished_him_the_best got_him_a_date wished_her_luck wished_her_well wished_her_the_best
got_her_a_date wished_them_luck wished_them_well wished_them_the_best got_them_a_date wished_us_luck
wished_us_well wished_us_the_best got_us_a_date agreed_with paying_him_a_visit pays_him_a_visit
pay_him_a_visit paying_her_a_visit pays_her_a_visit pay_her_a_visit paying_them_a_visit pays_them_a_visit
pay_them_a_visit paying_us_a_visit pays_us_a_visit pay_us_a_visit paying_me_a_visit pays_me_a_visit
pay_me_a_visit wishing_him_luck wishes_him_luck wish_him_luck wishing_him_well wishes_him_well wish_him_well
wishing_him_the_best wishes_him_the_best wish_him_the_best gotten_him_a_date getting_him_a_date
gets_him_a_date get_him_a_date wishing_her_luck wishes_her_luck wish_her_luck wishing_her_well wishes_her_well
wish_her_well wishing_her_the_best wishes_her_the_best wish_her_the_best gotten_her_a_date getting_her_a_date
gets_her_a_date get_her_a_date wishing_them_luck wishes_them_luck wish_them_luck wishing_them_well
wishes_them_well wish_them_well wishing_them_the_best wishes_them_the_best wish_them_the_best
gotten_them_a_date getting_them_a_date gets_them_a_date get_them_a_date wishing_us_luck wishes_us_luck
wish_us_luck wishing_us_well wishes_us_well wish_us_well wishing_us_the_best wishes_us_the_best
wish_us_the_best gotten_us_a_date getting_us_a_date gets_us_a_date get_us_a_date agreeing_with agrees_with
agree_with to_his_aid to_her_aid to_my_aid to_their_aid to_our_aid to_his_rescue to_her_rescue to_my_rescue
to_their_rescue to_our_rescue
stroked stroking strokes stroke rumpled rumpling rumples rumple ruffled ruffling ruffles ruffle made_room_for
making_room_for makes_room_for make_room_for baby_-_sat baby_-_sit baby_-_sitting baby_-_sits in_his_arms
in_her_arms in_their_arms held holding holds hold carried carrying carries carry
flirted_with flirting_with crush_on in_love_with fell_in_love_with flirts_with flirt_with crushed_on
crushing_on crushes_on fallen_in_love_with falling_in_love_with falls_in_love_with fall_in_love_with
""")
_SEXUAL = words("""kiss kissed kissing kisses caress caressed caressing fondle fondled fondling seduce seduced
seducing sex intercourse making_love made_love make_love slept_with sleep_with sleeping_with fuck fucked
fucking sexual sexually making_out made_out necking petting orgasm breasts breast penis vagina nipples
genitals""")

_LEXICON: dict[tuple[str, ...], tuple[str, bool]] = {}
for _w in _PHYSICAL:
    _LEXICON[tuple(_w.split("_"))] = ("aggression", True)
for _w in _VERBAL:
    _LEXICON[tuple(_w.split("_"))] = ("aggression", False)
for _w in _FRIENDLY:
    _LEXICON[tuple(_w.split("_"))] = ("friendliness", False)
for _w in _SEXUAL:
    _LEXICON[tuple(_w.split("_"))] = ("sexuality", False)
_FIRST: dict[str, list[tuple[str, ...]]] = {}
for _k in _LEXICON:
    _FIRST.setdefault(_k[0], []).append(_k)
for _v in _FIRST.values():
    _v.sort(key=len, reverse=True)

_NEEDS_OBJECT = frozenset(
    words(
        "smiled smile smiling waved wave shot shoot shooting scream screamed screaming yell yelled yelling "
        "shout shouted shouting hunt hunting save saved saving visit visited give gave gives giving offer "
        "offered share shared fight fighting fought fed feed treated liked likes listened_to fired aim aimed "
        "forced supported ordered demanded warned complained insisted danced dancing dance friendly gift "
        "gifts hit hits hitting strike struck knocked knock bite bit beat beating pushed push pushing grab "
        "grabbed grabbing drag dragged dragging love loved loves lent loaned taught teaches rude lied lying "
        "forcing divorce divorced hostile hello goodbye smiles waving patted orders ordering demands "
        "demanding insists insisting refuses refusing rejects ignores complaining complains thanks "
        "sympathetic contempt hating sarcastic turned_down visits offers shares feeds shoots screams yells "
        "shouts hunted hunts saves visiting given offering sharing fights feeding treating treats "
        "treat liking listening_to listens_to listen_to firing aiming aims supporting supports support demand "
        "warning warns warn complain insist dances gifted gifting strikes knocking knocks bitten biting bites "
        "beaten beats pushes grabs drags loving lending lends lend loaning loans loan teaching teach "
        "divorcing divorces patting refused refuse rejected rejecting reject ignored ignoring ignore thanked "
        "thanking thank hated hates hate turning_down turns_down turn_down "
        "reprimanded rebuked quizzed interrogated bullied harassed pestered reprimanding reprimands reprimand "
        "rebuking rebukes rebuke quizzing quizzes quiz interrogating interrogates interrogate bullying "
        "bullies bully harassing harasses harass pestering pesters pester "
        "assisted assisting assists assist "
        "drowned captured slashed shoved smashed whipped poisoned choked drowning drowns drown capturing "
        "captures capture slashing slashes slash shoving shoves shove smashing smashes smash whipping whips "
        "whip poisoning poisons poison choking chokes choke "
        "chase chased chasing chases chased_after chasing_after chase_after chases_after "
        "babysat babysit babysitting babysits like baby_-_sat baby_-_sit baby_-_sitting baby_-_sits "
        "stroked stroking strokes stroke rumpled rumpling rumples rumple ruffled ruffling ruffles ruffle "
        "held holding holds hold carried carrying carries carry guarded guarding "
        "played_with playing_with plays_with play_with catch catches catching caught trap traps trapping "
        "trapped"
    )
)
_OBJECT_PRONOUNS = frozenset(words("me him her us them my his"))
# Forms that follow their object: "I took the girl by the hand", "I tell her how sorry I am".
_TRAILING = frozenset(
    words(
        "by_the_hand in_my_arms in_his_arms in_her_arms in_their_arms how_sorry "
        "breasts breast penis vagina nipples genitals"
    )
)
_KNOCK = frozenset(words("knock knocked knocking knocks"))
_STRUCK = frozenset(words("struck strike strikes hit hits"))
_PASSIVE = frozenset(words("was were got been being is are get gets be"))


def find_interactions(doc: DreamDoc) -> list[Interaction]:
    toks = doc.tokens
    lowers = [t.lower for t in toks]
    out: list[Interaction] = []
    # how many characters share each code: two men both coded 1MKA are two people, not one
    shared: dict[str, int] = {}
    for c in doc.analysis.characters:
        shared[c.code] = shared.get(c.code, 0) + 1
    i = 0
    while i < len(toks):
        cands = _FIRST.get(lowers[i])
        match = None
        for seq in cands or ():
            if tuple(lowers[i : i + len(seq)]) == seq:
                match = seq
                break
        if match is None:
            i += 1
            continue
        last = i + len(match) - 1
        kind, physical = _LEXICON[match]
        prev = lowers[i - 1] if i else ""
        if _no_act_here(match, kind, lowers, i, last):
            i = last + 1
            continue
        form = "_".join(match)
        if form in _TRAILING:
            k = _person_before(doc, i)
            if k is None or any(w in _HOLD for w in lowers[max(0, i - 5) : i]):
                i = last + 1
                continue
            obj, subj = resolve_token(doc, k), subject_before(doc, k, clause=True)
            if kind == "sexuality" and subj is None:
                i = last + 1  # "her breasts were large": a description, not a touch
                continue
        else:
            obj = object_after(doc, last)
            for k in range(i + 1, last + 1):
                if lowers[k] in _OBJECT_PRONOUNS:  # "kicked me out", "took my hand": the object is inside the form
                    obj = resolve_token(doc, k)
                    break
            subj = subject_before(doc, i)
            if subj is None:
                # The clause's subject ("I kissed and embraced her"); never the object itself ("we were there
                # before the owner came back and kicked us out": whoever kicked us out is not "we").
                subj = subject_before(doc, i, clause=True)
                if subj is not None and subj == obj:
                    subj = None
                if subj is None and (_diary_clause(doc, lowers, i) or _diary_feeling(doc, lowers, i)) and obj != "D":
                    subj = "D"  # a diary's clause with no subject is the dreamer's: "See Frank; embrace him."
        # "I was chased (by a dog)" is passive; "a man was chasing me" is not.
        aux = i - 1
        while aux > 0 and i - aux <= 2 and lowers[aux].endswith("ly"):
            aux -= 1  # "I was immediately arrested"
        passive = (
            lowers[aux] in _PASSIVE
            and not match[0].endswith("ing")
            and ((len(match) == 1 and match[0] not in _STATES) or _participle_form(match))
        )
        if not passive and lowers[last + 1 : last + 2] == ["by"] and _participle_form(match) and prev not in _HAVE:
            # a participle with its agent: "a house guarded by soldiers", "a boy bitten by a dog" (after "had"
            # it is a perfect tense, not a passive)
            passive = True
        if i >= 2 and prev in _CAUSEES and lowers[i - 2] in _CAUSATIVES and _participle_form(match):
            # "to have me arrested", "he got her fired": done to the one in between, by whoever had it done
            passive, obj = False, resolve_token(doc, i - 1)
            by = last + 1 < len(lowers) and lowers[last + 1] == "by"
            subj = object_after(doc, last + 1) if by else subject_before(doc, i - 2, clause=True)
        unaddressed = kind == "aggression" and obj is None and subj not in (None, "D") and not passive
        at_a_thing = physical and last + 1 < len(lowers) and lowers[last + 1] in _THING_OBJECT
        if unaddressed and dreamer_in_sentence(doc, i) and not at_a_thing:
            # an unaddressed hostility in the dreamer's sentence is toward the dreamer: "she wouldn't listen when
            # I ...", "I asked her to take me, but she refused", "two men started shooting as I ran"; not a blow
            # at a thing ("I see Wendy pushing a cart", "firemen fighting the fire")
            obj = "D"
        if passive and last + 1 < len(lowers) and lowers[last + 1] == "by":
            subj, obj = object_after(doc, last + 1), subj
            if subj is None and (match[0] in _STRUCK or match[0] in _KNOCK):
                i = last + 1  # "I nearly got hit by the bus": an accident, not an aggression
                continue
        elif passive:
            subj, obj = None, subj
        if match[0] in _RECIPROCAL and len(match) == 1 and obj is None and not passive:
            partner = _partner(doc, lowers, i)
            if partner is not None:
                subj, obj = "D", partner  # "Frank and I are dancing", "We dance and play games"
        if form in _NEEDS_OBJECT and obj is None:
            # no one received it: "she smiled", "I shot the lock", "something heavily guarded by squids" ("I was
            # shot" was received: the passive's subject is its object now)
            i = last + 1
            continue
        if subj is None and obj is None and not physical:
            i = last + 1
            continue
        if form in _CATCH and not _a_capture(subj, obj, passive):
            i = last + 1  # "Dad and I caught him (as he fell)", "I hope I don't get caught"
            continue
        if subj is not None and subj == obj and shared.get(subj, 0) < 2:
            i = last + 1  # one character on both sides ("she hurt herself"); "Frank criticises Wally" is two
            continue
        if kind == "sexuality" and lowers[i] in {"sex", "sexual", "sexually", "intercourse"} and obj is None:
            obj = ""
        if kind == "sexuality" and lowers[i].startswith("kiss") and _friendly_kiss(lowers, last, subj, obj):
            kind = "friendliness"  # "I kissed my father", "kiss her hand": physical friendliness, not sexual
        out.append(
            Interaction(
                kind=kind,  # type: ignore[arg-type]
                initiator=subj or "",
                recipient=obj or "",
                span=(toks[i].start, toks[last].end),
                words=[doc.text[toks[i].start : toks[last].end]],
                physical=physical and not _intended(lowers, i),
            )
        )
        i = last + 1
    return out


# Before an act, these deny it: "didn't hit me", "left without saying goodbye", "can't hit me", "wasn't helping"
_NEGATORS = frozenset(
    words(
        "not never didn't don't couldn't wouldn't no without can't cannot won't doesn't isn't wasn't weren't "
        "hasn't haven't hadn't shouldn't"
    )
)
_DETERMINERS = frozenset(words("a an the this that my his her gun big"))
# Adjectives between a determiner and an act's noun ("a light kiss", "a big hug", "a hard punch")
_NOUN_ADJECTIVES = frozenset(
    words(
        "light big long quick warm little gentle passionate friendly tight huge soft sweet tender good short brief "
        "final hard swift sudden playful loving affectionate wet firm strong slight real"
    )
)
_REFLEXIVES = frozenset(words("himself herself myself themselves ourselves itself"))
_NOT_TO_COMFORT = frozenset(words("worry be cry fear panic"))


def _no_act_here(match: tuple[str, ...], kind: str, lowers: list[str], i: int, last: int) -> bool:
    """Is the matched form, in its context, no interaction at all?

    Negated ("didn't hit him") or a noun ("a shot", "the fight"); an idiom ("it struck me as odd", "we'd
    struck up a relationship", "a bite to eat", "knocked on her door", "the road gave way", "they had given
    up"); a feeling or a thing rather than an act ("I feel attacked", "it's hurting her", "then it hit me",
    "it took me hours", "a sex dream"); comfort, not a ban ("told me not to worry"); a reflexive ("he hit
    himself"); play ("Jello-wrestling", "I slap him playfully"); "like" that is no liking ("looks like");
    "he held me down" (no friendliness); a posture, not a lie ("I am lying next to Eli"); an adjective ("an
    old, beat up dresser"); what someone is accused of ("accused of having stolen money", "of hitting");
    "thrown in" that is no passive ("he had thrown in the towel"); a vow ("swore off talking"); "Thank
    God", "you're driving me crazy", "hold on to its head".
    """
    prev = lowers[i - 1] if i else ""
    # a noun: "a kiss", "the fight", and after an adjective "a light kiss", "a big hug"
    noun = len(match) == 1 and match[0] not in _TRAILING and (
        (prev in _DETERMINERS and not _a_quarrel(lowers, i, last))
        or (prev in _NOUN_ADJECTIVES and i > 1 and lowers[i - 2] in _DETERMINERS)
    )
    if prev in _NEGATORS or noun:
        return True
    if match in _ADJECTIVAL and (prev in _DETERMINERS or prev in {",", "old"}):
        return True
    if match[1:] in (("in",), ("into",)) and match[0] in _THROW and (match[0] != "thrown" or prev not in _PASSIVE):
        return True  # "I was thrown in the closet" is done to me; "he had thrown in the towel" to no one
    if (prev == "of" and match[0].endswith("ing")) or (prev == "having" and i > 1 and lowers[i - 2] == "of"):
        return True
    nxt = lowers[last + 1 : last + 3]
    head = match[0]
    return (
        (head in _STRUCK and (nxt[1:] == ["as"] or nxt[:1] == ["up"] or prev in {"it", "that", "this"}))
        or (head in {"bite", "bit"} and nxt[:1] == ["to"])
        or (head in _KNOCK and nxt[:1] in (["on"], ["at"]))
        or (head in _GIVE and nxt[:1] in (["way"], ["up"], ["in"], ["birth"]))
        or (prev in _FEEL and len(match) == 1)
        or (head.startswith("hurt") and ("it" in (prev, lowers[i - 2] if i > 1 else "") or prev == "it's"))
        or (kind == "friendliness" and prev == "it")
        or (match == ("sex",) and nxt[:1] in (["dream"], ["dreams"], ["education"], ["appeal"]))
        or (match[-2:] == ("not", "to") and nxt[:1] != [] and nxt[0] in _NOT_TO_COMFORT)
        or (nxt[:1] != [] and nxt[0] in _REFLEXIVES)
        or prev == "-"
        or "playfully" in nxt
        or (match == ("like",) and not _likes_someone(lowers, i))
        or (match in _LIE and nxt[:1] != [] and nxt[0] in _POSTURE)
        or (head in _DISLIKE and nxt[:1] in (["it"], ["this"], ["that"]))
        or (head in {"swore", "swearing"} and nxt[:1] == ["off"])
        or (head.startswith("thank") and nxt[:1] in (["god"], ["goodness"], ["heavens"]))
        or (match[-1:] == ("me",) and head.startswith("driv") and nxt[:1] != [] and nxt[0] in _DRIVEN_MAD)
        or (head in _HOLD and ("down" in nxt or nxt[:1] == ["on"]))
        or (head in _CATCH and any(w in _CAUGHT_IDIOM for w in nxt))
    )


def _a_quarrel(lowers: list[str], i: int, last: int) -> bool:
    """A quarrel named as a noun that happens in the dream: "we had an argument", "he started a quarrel",
    "a fight began", "an argument between the two" (HVdC codes it like the verb)."""
    return lowers[i] in _QUARREL_NOUNS and (
        (i > 1 and lowers[i - 2] in _INTO_A_QUARREL)
        or lowers[last + 1 : last + 2] in (["began"], ["broke"], ["between"])
    )


_QUARREL_NOUNS = frozenset(words("argument quarrel fight"))
_INTO_A_QUARREL = frozenset(words("had have has having into started start starts starting began begin begins"))


# A dislike of a thing or a situation, not of a person: "this baby sure doesn't like this", "she hated it
# when I'd talk long".
_DISLIKE = frozenset(
    words("""hate hates hated hating dislike dislikes disliked disliking resent resents resented resenting
    don't doesn't didn't""")
)


def _a_capture(subj: str | None, obj: str | None, passive: bool) -> bool:
    """Catching or trapping as HVdC's capture: an animal caught or catching ("I catch 10 cats", "I was caught
    by a python"), or the dreamer caught by someone named ("caught by President Knight"); "caught me" and
    "trapped me" are forms of their own."""
    animal = any(c and parse_character(c)[2] == "ANI" for c in (subj, obj))
    return animal or (passive and obj == "D" and bool(subj))


_CATCH = frozenset(words("catch catches catching caught trap traps trapping trapped"))
# Catching up, sight, a glimpse, someone's eye or attention, the name, fire, a cold: no one is captured.
_CAUGHT_IDIOM = frozenset(
    words("up sight glimpse on eye eyes attention name fire cold ride breath in between inside onto")
)
_ADJECTIVAL = frozenset({("beat", "up"), ("beaten", "up")})
_THROW = frozenset(words("throw throws threw thrown throwing"))
_DRIVEN_MAD = frozenset(words("crazy mad nuts insane wild to"))  # "driving me crazy", "to an early grave"
_LIE = frozenset({("lied",), ("lying",)})
# After "lying": where or how one lies, not a falsehood ("lying next to Eli", "lying on the bed").
_POSTURE = frozenset(
    words("""next on in down beside there at under around near asleep awake flat face back against by across
    beneath upon still quietly naked here outside inside alongside close""")
)


# Relatives whose kiss is friendly: the HVdC family letters but husband and wife, whose kiss is sexual.
_KIN = FAMILY - {"H", "W"}


_LIKERS = frozenset(words("i we he she they"))
_LIKE_ADVERBS = frozenset(words("really still also even always just kind sort of"))


def _likes_someone(lowers: list[str], i: int) -> bool:
    """ "I like Albert", "she really likes" is a feeling; "looks like", "I'd like to" and "like a" are not."""
    if lowers[i + 1 : i + 2] in (["to"], ["a"], ["an"], ["the"], ["it"], ["that"], ["this"]):
        return False
    j = i - 1
    while j >= 0 and lowers[j] in _LIKE_ADVERBS:
        j -= 1
    return j >= 0 and lowers[j] in _LIKERS


# Before a physical act, these make it a threat, a fear or an intention, not a blow ("he was going to hurt
# me", "they may attack us", "I couldn't kill anyone"): HVdC codes such aggression below the physical levels.
_INTENT = frozenset(words("would could might may should will can can't couldn't wouldn't going gonna intending if"))
_FEEL = frozenset(words("feel feels felt feeling"))


def _intended(lowers: list[str], i: int) -> bool:
    return any(w in _INTENT for w in lowers[max(0, i - 3) : i])


# Clause openers of a diary's telegraphic style ("Then embrace.", "-- shift: see Frank;"), and adverbs
# that may stand between them and the verb.
_DIARY_OPENERS = frozenset({";", ":", "-", "--", "."})
_DIARY_ADVERBS = frozenset(words("then also later eventually finally suddenly again and"))


def _diary_clause(doc: DreamDoc, lowers: list[str], i: int) -> bool:
    """Is token ``i`` a verb opening a clause that has no subject (not in a quotation)?"""
    s_first = doc.sentences[doc.tokens[i].sent].first_token
    j = i - 1
    while j >= s_first and lowers[j] in _DIARY_ADVERBS:
        j -= 1
    verb = lowers[i]
    if verb.endswith("ing") or (verb.endswith("s") and not verb.endswith("ss")):
        return False  # "Running away ...", "Frank criticises Wally; yells at him": not the diary's own "I"
    return j < s_first or lowers[j] in _DIARY_OPENERS  # sentence-initial ("Embrace him.") or after ";", "--"


_FEELING_NOUNS = frozenset(words("resentment anger hatred contempt jealousy"))
_DIARY_FIRST_PERSON = frozenset(words("am feel felt"))


def _diary_feeling(doc: DreamDoc, lowers: list[str], i: int) -> bool:
    """A feeling with no one to feel it in a diary's sentence is the dreamer's: "Am very mad and jealous of
    Greta" (the "I" left out before "am"), "Tremendous resentment against Frank" (a sentence that is a
    feeling noun and its object)."""
    s_first = doc.sentences[doc.tokens[i].sent].first_token
    k = s_first
    while k < i and lowers[k] in _DIARY_OPENERS:
        k += 1
    if lowers[k] in _DIARY_FIRST_PERSON:
        return True
    return lowers[i] in _FEELING_NOUNS and all(resolve_token(doc, j) is None for j in range(k, i))


def _kin(code: str | None) -> bool:
    return code is not None and len(code) > 2 and code[2] in _KIN


def _child(code: str | None) -> bool:
    return code is not None and len(code) > 3 and code[3] in {"B", "C"}


# A kiss on the hand, the cheek or the forehead is a greeting or a blessing ("I kiss his hand").
_FRIENDLY_KISS_PLACES = frozenset(words("hand hands cheek cheeks forehead head fingers ring"))


def _friendly_kiss(lowers: list[str], last: int, subj: str | None, obj: str | None) -> bool:
    """A kiss HVdC codes as friendliness: between relatives, to or from a child, on the hand or the brow."""
    if _kin(subj) or _kin(obj) or _child(subj) or _child(obj):
        return True
    after = lowers[last + 1 : last + 5]
    return any(w in _FRIENDLY_KISS_PLACES for w in after) or after[:2] == ["like", "friends"]


# A phrase is passive after "was", "got"... when it starts with a participle that is not a state ("I got
# yelled at", "we were kicked out"; not "I was annoyed with him") and carries no object of its own.
_STATES = frozenset(words("annoyed irritated disgusted upset engaged married"))
_HAVE = frozenset(words("have has had having"))
_CAUSATIVES = _HAVE | frozenset(words("get gets got getting"))
_GIVE = frozenset(words("give gives gave given giving"))
_HOLD = frozenset(words("hold holds held holding"))
# a determiner right after a verb starts its object: a thing when no person was found there
_THING_OBJECT = frozenset(words("a an the some this that these those its their his"))
_CAUSEES = frozenset(words("me him her us them"))
_IRREGULAR_PARTICIPLES = frozenset(words("made told thrown sent taken caught beaten bitten shot struck held"))


def _participle_form(match: tuple[str, ...]) -> bool:
    head = match[0]
    return (
        (head.endswith("ed") or head in _IRREGULAR_PARTICIPLES)
        and head not in _STATES
        and not any(w in _OBJECT_PRONOUNS for w in match[1:])
    )


_DANCE = frozenset(words("dance dances danced dancing"))
# Acts two do together: "Frank and I embrace", "we hugged" is with the other one, as a dance is
_RECIPROCAL = _DANCE | frozenset(
    words("embrace embraces embraced embracing hug hugs hugged hugging cuddle cuddles cuddled cuddling")
)
_BEFORE_TOGETHER = frozenset(words("are were was is began begin started start to all both then happily together"))


def _partner(doc: DreamDoc, lowers: list[str], i: int) -> str | None:
    """Whom the dreamer dances, embraces or hugs when "we" or "X and I" do it: X, or for "we" the last person
    named before (coders code such an act as mutual friendliness)."""
    j = i - 1
    while j >= 0 and lowers[j] in _BEFORE_TOGETHER:
        j -= 1
    if j >= 2 and lowers[j] == "i" and lowers[j - 1] == "and":
        return resolve_token(doc, j - 2)
    if j < 0 or lowers[j] != "we":
        return None
    codes: dict[int, str] = doc.scratch.get("mention_codes", {})
    before = [k for k in codes if k < j and codes[k] != "D"]
    return codes[max(before)] if before else None


def _person_before(doc: DreamDoc, i: int, max_back: int = 4) -> int | None:
    """The nearest token before ``i`` in its sentence that is a person ("the girl" in "the girl by the hand")."""
    s_first = doc.sentences[doc.tokens[i].sent].first_token
    for k in range(i - 1, max(s_first, i - max_back) - 1, -1):
        if resolve_token(doc, k) is not None:
            return k
    return None


_FAVOUR_VERBS = frozenset(
    words("""buy buys bought buying get gets got getting call calls called calling make makes made making cook
    cooks cooked cooking bake bakes baked fix fixes fixed fetch fetches fetched order orders ordered prepare
    prepares prepared""")
)
_A_THING = frozenset(words("a an some the"))
_FAVOUR_STOP = frozenset(words(". ! ? , ; : and but"))
_FOR_POSSESSIVE = frozenset(words("my his her our their"))


def favours(doc: DreamDoc) -> list[Interaction]:
    """A thing got or made for a person ("I call a taxi for her", "buying a coat for Wendy", "we were going
    to buy a hat for my niece") is friendliness (HVdC's giving or helping) from the one who does it."""
    lowers = [t.lower for t in doc.tokens]
    out: list[Interaction] = []
    for i, w in enumerate(lowers):
        if w not in _FAVOUR_VERBS or lowers[i + 1 : i + 2] == [] or lowers[i + 1] not in _A_THING:
            continue
        if i and lowers[i - 1] in _NEGATORS:
            continue
        for k in range(i + 2, min(len(lowers) - 1, i + 7)):
            if lowers[k] in _FAVOUR_STOP:
                break
            if lowers[k] != "for":
                continue
            # "for my niece" is for the niece; "for her" is for her
            j = k + 2 if lowers[k + 1] in _FOR_POSSESSIVE and k + 2 < len(lowers) else k + 1
            person = resolve_token(doc, j)
            if person is None and j == k + 2:
                j, person = k + 1, resolve_token(doc, k + 1)
            subj = subject_before(doc, i) or subject_before(doc, i, clause=True)
            if subj is None and _diary_clause(doc, lowers, i):
                subj = "D"
            if person is not None and subj is not None and person != subj:
                verb, whom = doc.tokens[i], doc.tokens[j]
                out.append(
                    Interaction(
                        kind="friendliness",
                        initiator=subj,
                        recipient=person,
                        span=(verb.start, whom.end),
                        words=[doc.text[verb.start : verb.end]],
                    )
                )
            break
    return out


# HVdC's first level of aggression and of friendliness: a feeling toward a character, stated but not acted
# out ("I was furious with Herb", "I was so glad to be with her").
_COVERT = (("aggression", "AN"), ("friendliness", "HA"))


def covert_feelings(doc: DreamDoc, found: list[Interaction]) -> list[Interaction]:
    """An anger or happiness word in a sentence where no interaction of that kind was found is one, from
    whoever feels it toward the person after it. Anger with no one after it still counts (at the dreamer if
    another character feels it in the dreamer's sentence); happiness with no one after it is a mood."""
    out: list[Interaction] = []
    hits = find_emotion_hits(doc)
    starts = [t.start for t in doc.tokens]
    for kind, cls in _COVERT:
        coded = {doc.tokens[_token_at(starts, x.span[0])].sent for x in found if x.kind == kind}
        for h in hits:
            sent = doc.tokens[h.first].sent
            if h.classes != (cls,) or h.negated or h.waking or h.quoted or sent in coded:
                continue
            who = "D" if h.experiencer == "D" else subject_before(doc, h.first, clause=True)
            if who is None:
                continue
            target = object_after(doc, h.last)
            if target == who:
                target = None
            if target is None and kind == "aggression" and who != "D" and dreamer_in_sentence(doc, h.first):
                target = "D"
            if target is None and kind == "friendliness":
                continue
            out.append(
                Interaction(
                    kind=kind,  # type: ignore[arg-type]
                    initiator=who,
                    recipient=target or "",
                    span=(h.start, h.end),
                    words=[h.words],
                    physical=False,
                )
            )
            coded.add(sent)
    return out


def _token_at(starts: list[int], char: int) -> int:
    """The token that starts at ``char`` (or the next one), given every token's start offset."""
    return min(bisect_left(starts, char), len(starts) - 1)


@register_component("interactions", version=VERSION, requires=("characters",))
def make_interactions() -> Any:
    def interactions(doc: DreamDoc) -> None:
        found = find_interactions(doc) + favours(doc)
        doc.analysis.interactions = sorted(found + covert_feelings(doc, found), key=lambda x: x.span)

    return interactions
