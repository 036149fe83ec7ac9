from dream_mosaic.analysis import analyze


def test_hvdc_codes_for_family_strangers_and_animals(dreams: dict[str, str]) -> None:
    a = analyze(dreams["chase"])
    codes = sorted(c.code for c in a.characters)
    assert codes == ["1FMA", "1MSA"]
    assert a.dreamer_present


def test_each_character_counted_once_with_mentions() -> None:
    a = analyze("A woman sat down. The woman smiled. Then another woman came in with two dogs.")
    codes = [c.code for c in a.characters]
    assert codes.count("1FSA") == 2  # "a woman" and "another woman"; "the woman" is the first again
    assert "2ANI" in codes
    first = next(c for c in a.characters if c.code == "1FSA")
    assert first.count == 2


def test_names_get_sex_from_name_list_or_pronoun(dreams: dict[str, str]) -> None:
    a = analyze(dreams["names"])
    by_text = {c.text: c.code for c in a.characters}
    assert by_text["Jenny"] == "1FKA"
    assert by_text["Tom"] == "1MKA"
    assert by_text["dog"] == "1ANI"
    a2 = analyze("I met Zorblat at the door. He gave me a letter.")
    assert {c.text: c.code for c in a2.characters}["Zorblat"] == "1MKA"


def test_places_and_emphasis_are_not_characters() -> None:
    a = analyze("We drove from Texas to New York City. It was AMAZING. The Hilton Hotel was full.")
    assert a.characters == []


def test_declared_cast_codes_people_the_text_cannot() -> None:
    text = "Mary and I walked by the sea. Dovre waved at us."
    plain = {c.text: c.code for c in analyze(text).characters}
    assert plain == {"Mary": "1FKA"}  # sentence-initial unknown names are not guessed
    declared = {c.text: c.code for c in analyze(text, cast={"Mary": "1FWA", "dovre": "1FDA", "x": "bad"}).characters}
    assert declared == {"Mary": "1FWA", "Dovre": "1FDA"}


def test_a_declared_relation_without_a_sex_keeps_the_name_s() -> None:
    text = "Hillary and I went swimming. Later Dr. Clark called. Then Quill waved."
    declared = analyze(text, cast={"Hillary": "1IKA", "Clark": "1IOA", "Quill": "1IKA"}).characters
    # "friend" and "doctor" do not say the sex; the name does where it can (a title, a given name)
    assert {c.text: c.code for c in declared} == {"Hillary": "1FKA", "Clark": "1MOA", "Quill": "1IKA"}


def test_people_only_talked_about_or_resembled_are_not_characters() -> None:
    a = analyze("I told the man about my mother. He looked like my father. I was thinking of my brother.")
    assert [c.code for c in a.characters] == ["1MSA"]


def test_the_dreamer_described_as_a_noun_is_not_a_character() -> None:
    a = analyze("When I was a little girl I lived on a farm with a dog.")
    assert [c.code for c in a.characters] == ["1ANI"]


def test_a_fly_is_an_animal_but_flying_is_not() -> None:
    assert [c.code for c in analyze("I could fly over the town.").characters] == []
    assert [c.code for c in analyze("A fly landed on my arm.").characters] == ["1ANI"]


def test_strangers_the_dreamer_knows_and_two_word_friends() -> None:
    a = analyze("A girl I know from school sat with my boy friend.")
    assert sorted(c.code for c in a.characters) == ["1FKC", "1MKA"]
    assert [c.code for c in analyze("A girl sat down.").characters] == ["1FSC"]


def test_unlisted_names_ending_like_womens_names_are_female() -> None:
    a = analyze("I met Paulina at the station. Later I saw Zorblat.")
    assert sorted(c.code for c in a.characters) == ["1FKA", "1IKA"]


def test_prominent_people_are_coded_p_not_known() -> None:
    a = analyze("I was at a party and talked with Paul McCartney. Later I heard Beethoven's music with Lucy.")
    by_text = {c.text: c.code for c in a.characters}
    assert by_text["Paul McCartney"] == "1MPA"
    assert by_text["Beethoven's"].endswith("PA")
    assert by_text["Lucy"] == "1FKA"  # an ordinary name stays a known character
    # a listed first name alone is a person the dreamer knows, even if a famous one shares it
    assert {c.text: c.code for c in analyze("I went shopping with my aunt and then with Ruth.").characters}[
        "Ruth"
    ] == "1FKA"


def test_plural_capitalised_words_holidays_and_makes_of_car_are_not_characters() -> None:
    a = analyze("On Wednesdays we watched the Olympics. At Halloween I drove my Pontiac with Tristan.")
    assert [c.text for c in a.characters] == ["Tristan"]
    b = analyze("We flew like in Calif or Austria, then Vienna and Mankato, and Zena came along.")
    assert [c.text for c in b.characters] == ["Zena"]


def test_buddies_fraternity_brothers_and_priests() -> None:
    a = analyze("I was charging down the hill with three buddies. Then a fraternity brother of mine came in.")
    assert [c.code for c in a.characters] == ["2JKA", "1MKA"]  # friends, not the dreamer's brother
    b = analyze("We went to mass and Fr. Zachary gave the sermon.")
    # one priest, known by name: coders code a named priest or doctor the dreamer knows K, not O
    assert [(c.text, c.code) for c in b.characters] == [("Fr. Zachary", "1MKA")]


def test_known_peers_and_male_groups() -> None:
    a = analyze("I saw a bunch of girls from home and one of my old boyfriends. The police came with the king.")
    assert [c.code for c in a.characters] == ["2FKC", "2MKA", "2MOA", "1MPA"]
    b = analyze("The boy with whom I had gone to the dance sat behind me.")
    assert [c.code for c in b.characters] == ["1MKC"]


def test_the_sex_and_age_noted_after_a_person_are_taken() -> None:
    # The HVdC norm reports note them in brackets: "a friend of mine (f, 20)".
    a = analyze("A friend of mine (f, 20) came over. Then my cousin (m, 5) cried.")
    assert [(c.text, c.code) for c in a.characters] == [("friend", "1FKA"), ("cousin", "1MRC")]


def test_notes_in_other_orders_and_names_described_after_them() -> None:
    # "(25, m)", "(age 25, male)": the same note in the other orders the norm reports use; not "(in my dream)".
    a = analyze("A friend (25, m) and I left. My buddy (age 25, male) stayed. A person (in my dream) waved.")
    assert [c.code for c in a.characters] == ["1MKA", "1MKA", "1ISA"]
    # "Herb, a friend of mine": one known man, not a man and a friend of unknown sex.
    b = analyze("Herb, a friend of mine, had borrowed my car. Ann (my sister) laughed. Tom, a man I saw, ran.")
    assert [c.code for c in b.characters] == ["1MKA", "1FTA", "1MKA", "1MSA"]


def test_destinations_and_capitalised_prepositions_are_not_characters() -> None:
    # An unlisted capitalised word after "ran down to", "went back to" is a place; "In" after a lost full stop
    # is a preposition. A possessive ("over to Quill's place") or a woman's name ending stays a person.
    a = analyze("After lunch we ran back to Brindle and walked down to Quorrow, then Tess waved at us In class.")
    assert [c.text for c in a.characters] == ["Tess"]
    b = analyze("Later I talked to Brindle and walked over to Marissa, who smiled.")
    assert [(c.text, c.code) for c in b.characters] == [("Brindle", "1IKA"), ("Marissa", "1FKA")]


def test_a_capital_that_is_no_given_name_after_a_preposition_is_a_place() -> None:
    a = analyze("The city was like the city of Pompeii. They would send to Rochester. We walked down Abington.")
    assert a.characters == []
    # a given name stays a person there; after "talked to" too; "in front of Moe's." is a shop
    b = analyze("I gave the book to Hannah and talked to Brindle. We stood in front of Moe's. Then Al came.")
    assert [(c.text, c.code) for c in b.characters] == [("Hannah", "1FKA"), ("Brindle", "1IKA"), ("Al", "1MKA")]


def test_given_names_the_short_lists_lack_have_their_sex() -> None:
    # (Eli is a man's name in the USA, a woman's in some countries: the USA's usage first)
    a = analyze("Then Tristan came by with Kylie. Later Reynaldo stayed, Eli waved, then Jo stayed.")
    assert [c.code for c in a.characters] == ["1MKA", "1FKA", "1MKA", "1MKA", "1FKA"]


def test_a_stranger_described_as_someone_elses_relative_is_one_character() -> None:
    a = analyze("An old man came and stood near us. Then I found that he was my girlfriend's father.")
    assert [(c.text, c.code) for c in a.characters] == [("man", "1MKA")]


def test_baby_sitting_brings_no_baby() -> None:
    a = analyze("I was baby-sitting the kids. Later the baby cried.")
    assert [(c.text, c.code) for c in a.characters] == [("kids", "2JSC"), ("baby", "1ISB")]


def test_someone_from_the_dreamer_s_own_circle_is_known_a_stranger_in_a_room_is_not() -> None:
    a = analyze("I was sitting at a table with a girl in my dormitory.")
    assert [c.code[2] for c in a.characters] == ["K"]
    b = analyze("There was a man in my room.")
    assert [c.code[2] for c in b.characters] == ["S"]
    c = analyze("We ran into a fellow (16) whom I know.")  # a note between the noun and what says so
    assert [ch.code[2] for ch in c.characters] == ["K"]


def test_streets_and_buildings_named_like_people_are_places() -> None:
    for text in (
        "I was walking on Euclid at night.",
        "I was approaching the corner of Mather gym.",
        "Water was flooding out of Mather administration building.",
    ):
        assert analyze(text).characters == [], text
    assert [c.text for c in analyze("He showed off in front of Francine. I waited on Bob.").characters] == [
        "Francine",
        "Bob",
    ]


def _codes(text: str) -> list[tuple[str, str]]:
    return [(c.text, c.code) for c in analyze(text).characters]


def test_titled_names_are_characters_known_to_the_dreamer() -> None:
    # "Mr." used to end a sentence, which left "Jones" a sentence-initial capital and no character
    assert _codes("I saw Mr. Jones there.") == [("Jones", "1MKA")]
    assert _codes("Then Mrs. Sanky hollered at me.") == [("Sanky", "1FKA")]
    assert _codes("Dr. Hall was there.") == [("Hall", "1IKA")]  # a doctor named is one the dreamer knows
    assert _codes("I saw my aunt. Jones came.") == [("aunt", "1FRA")]  # "aunt." is no title: "Jones" opens


def test_someone_else_s_family_is_of_its_owner_s_kind() -> None:
    assert _codes("Bob came over. His mother was with him.")[1] == ("mother", "1FKA")
    assert _codes("A girl came up to me. Her parents were nice.")[1] == ("parents", "2JSA")  # a stranger's
    assert _codes("The parents of a boy I have known came.") == [("parents", "2JKA"), ("boy", "1MKC")]
    assert _codes("I talked to the father of an old friend of mine.")[0] == ("father", "1MKA")
    assert _codes("A brother of mine came.") == [("brother", "1MBA")]
    assert _codes("Gabby's mom was cooking for us.") == [("mom", "1FKA")]  # Gabby is not shown to be there
    assert _codes("My mother's sister came.") == [("sister", "1FRA")]  # the mother is not shown to be there
    assert _codes("Mom came in. Her sister was with her.") == [("Mom", "1FMA"), ("sister", "1FRA")]
    # the owner of a house or a feeling is there: only the owner of a relative is dropped
    assert [c for _, c in _codes("I ran into my mother's house. She hugged me.")] == ["1FMA"]


def test_the_family_together_and_what_only_belongs_to_it() -> None:
    assert _codes("My whole family was at the table.") == [("family", "2JYA")]
    assert _codes("Our family doctor came in.") == [("doctor", "1IOA")]  # the family is not there


def test_what_the_report_says_makes_a_stranger_known() -> None:
    assert _codes("I saw a small girl, an acquaintance of mine.") == [("girl, an acquaintance", "1FKC")]
    assert _codes("I met a man, a friend and a dog.") == [("man", "1MSA"), ("friend", "1IKA"), ("dog", "1ANI")]
    assert _codes("A Mather girl, whom I know slightly, was visiting.")[0][1][2] == "K"
    assert _codes("The parents of a boy I have known for a year came.")[-1] == ("boy", "1MKC")
    assert _codes("The driver was a man I had worked for.")[-1] == ("man", "1MKA")
    assert _codes("I saw some girls in the dorm.") == [("girls", "2FKC")]


def test_a_noun_that_describes_someone_already_named_is_no_new_character() -> None:
    assert _codes("Someone came in. He was a tall man.") == [("Someone", "1MUA")]
    assert _codes("I saw Bob. He was my brother.") == [("Bob", "1MBA")]
    assert _codes("The girls came. They were students.") == [("girls", "2FSC")]
    assert _codes("She was with a man.") == [("man", "1MSA")]  # "with": a second person
    assert _codes("He was a tall man.") == [("man", "1MSA")]  # no one named before: the man is new


def test_an_unknown_sex_comes_from_the_next_he_or_she_before_anyone_else_is_named() -> None:
    text = "My roommate went to Michigan last weekend to visit the lake near the old mill. At that time he called."
    assert _codes(text) == [("roommate", "1MKA")]
    assert _codes("My friend and my sister came in. She was tired.") == [("friend", "1IKA"), ("sister", "1FTA")]


def test_two_nouns_for_one_person_are_one_character_of_the_more_telling_kind() -> None:
    assert _codes("I saw a high school teacher, a man about 45, at the door.") == [("teacher, a man", "1MOA")]
    assert _codes("My mother had a baby boy.") == [("mother", "1FMA"), ("baby boy", "1MSB")]


def test_strangers_named_only_as_owners_of_a_kind_of_thing_are_not_there() -> None:
    assert _codes("I went to the ladies' room and then the men's lavatory.") == []
    assert _codes("The boys' voices were loud.") == [("boys", "2MSC")]  # heard: there
    assert _codes("My friends' car broke down.") == [("friends", "2JKA")]


def test_a_girl_the_dreamer_dates_or_likes_is_known() -> None:
    for text in ("A girl who I also know came.", "A girl I had been dating entered the room.",
                 "I saw a neighborhood girl whom I like."):
        assert [c.identity for c in analyze(text).characters] == ["K"], text


def test_someone_only_owned_or_wished_for_and_a_crowd_of_people_once() -> None:
    assert _codes("I had to borrow someone else's coat. We sat at someone's house.") == []
    assert _codes("I wish I had someone to talk to.") == []
    assert _codes("Someone came to me.") == [("Someone", "1IUA")]
    assert _codes("A crowd of men stood outside.") == [("men", "2MSA")]


def test_manners_of_speaking_and_it_was_name_no_one_new() -> None:
    assert _codes("She of all people should know. People like me never win.") == []
    assert _codes("A figure came closer. Someone was there. It was a tall man.") == [("Someone", "1MUA")]


def test_boys_and_girls_are_one_mixed_group() -> None:
    assert _codes("I was walking with a group of boys and girls.") == [("boys and girls", "2JSC")]
    assert _codes("My brothers and sisters came.") == [("brothers", "2MBA"), ("sisters", "2FTA")]


def test_a_stranger_who_turns_out_to_be_family_is_that_family_member_from_then_on() -> None:
    a = analyze("I could see a woman scrubbing the floor. It was my mother. He never met my mother.")
    assert [(c.code, c.count) for c in a.characters] == [("1FMA", 2)]


def test_more_role_nouns() -> None:
    assert _codes("A pretty elevator operator warned me.") == [("operator", "1IOA")]
    codes = _codes("Only a few couples were dancing and the clerks watched.")
    assert codes == [("couples", "2JSA"), ("clerks", "2JOA")]


def test_the_girls_of_the_dreamer_s_dorm_are_known() -> None:
    assert _codes("I was in the smoking room of my dorm talking to the girls.") == [("girls", "2FKC")]
    assert _codes("I was at the beach talking to the girls.") == [("girls", "2FSC")]


def test_the_person_and_the_child_are_the_ones_named_before() -> None:
    a = analyze("I heard someone coming up the stairs. The person came closer and closer.")
    assert [(c.text, c.code, c.count) for c in a.characters] == [("someone", "1IUA", 2)]
    b = analyze("A small child had drowned and the police brought the child in. I held the baby.")
    assert [(c.text, c.count) for c in b.characters] == [("child", 3), ("police", 1)]


def test_no_one_there_is_no_character() -> None:
    for text in (
        "I went around to each person in the lab.",
        "I was shocked she would marry such a person.",
        "I walk along the street where I had lived as a child.",
        "We are looking for someone. Someone might bring them a robe.",
        "It scares me to think of going out with someone.",
    ):
        assert analyze(text).characters == [], text


def test_more_strangers_the_dreamer_knows() -> None:
    a = analyze("The soldier was a girl that used to live next door. Jean is the other girl who works in my office.")
    assert [c.code for c in a.characters if c.text == "girl"] == ["1FKC", "1FKC"]


def test_the_man_after_a_stranger_named_by_role_is_that_stranger() -> None:
    a = analyze("I saw a policeman. The door sent the man reeling off the step. My instructor came in.")
    assert [(c.text, c.code, c.count) for c in a.characters] == [("policeman", "1MOA", 2), ("instructor", "1IKA", 1)]


def test_names_listed_together_are_one_group_as_the_coders_code_them() -> None:
    # the coders code "Hannah and Margo" as 2FKT, "Esme, Hannah, and Margo" as one group
    a = analyze("I went to Spain with Hannah and Margo. A play was directed by Esme, Hannah, and Margo.")
    groups = [("Hannah and Margo", "2FKA"), ("Esme, Hannah, and Margo", "2FKA")]
    assert [(c.text, c.code) for c in a.characters] == groups
    b = analyze("I met Arthur and Julia. Working for Dr. Ashh and Frank is impatient.")
    assert [(c.text, c.code) for c in b.characters] == [("Arthur and Julia", "2JKA"), ("Ashh", "1IKA"),
                                                          ("Frank", "1MKA")]
    c = analyze("Frank and Wendy came home.", {"Frank": "1MHA", "Wendy": "1FDA"})
    assert [c.code for c in c.characters] == ["2JXA"]  # family members together


def test_a_name_and_a_noun_with_a_clause_that_says_who_are_one_person() -> None:
    a = analyze("I dreamed that Norma (18), a girl who resides in the same dormitory as I, and I decided to move.")
    assert [(c.text, c.code) for c in a.characters] == [("Norma", "1FKA")]


def test_a_stranger_named_stays_a_stranger() -> None:
    a = analyze("At the bar I met a man named Keith. My friend, Sue, came later.")
    assert [(c.text, c.code) for c in a.characters] == [("man named Keith", "1MSA"), ("friend, Sue", "1FKA")]


def test_capitals_inside_the_name_of_a_place_are_no_one() -> None:
    a = analyze("It took place in the Hotel Carter Ballroom. We went out to Camp Wise. I called Western Union.")
    assert a.characters == []
    b = analyze("We stood by the Adelbert Roads. Later Carl came in.")
    assert [(c.text, c.code) for c in b.characters] == [("Carl", "1MKA")]


def test_a_surname_alone_after_the_full_name_is_the_same_person() -> None:
    a = analyze("I saw Paul Robeson singing. Later Robeson left. Mary Smith came.")
    assert [(c.text, c.code, c.count) for c in a.characters] == [("Paul Robeson", "1MKA", 2), ("Mary Smith", "1FKA", 1)]


def test_friends_said_of_someone_are_no_new_characters() -> None:
    a = analyze("I have a neighbor; he visits often. We are friends. None of my friends were there.")
    assert [(c.text, c.code) for c in a.characters] == [("neighbor", "1MKA")]


def test_people_who_live_where_the_dreamer_lives_are_known() -> None:
    a = analyze("A group of girls who live in my dormitory were standing in the hall.")
    assert [(c.text, c.code) for c in a.characters] == [("girls", "2FKC")]


def test_more_occupations_are_people_in_a_role() -> None:
    # clergy, household staff and trades the lists lacked (characters 1.34): no character at all before
    assert [c.code for c in analyze("I shook hands with the pediatrician.").characters] == ["1IOA"]
    assert [c.code for c in analyze("I shook hands with our pediatrician.").characters] == ["1IKA"]  # as coded
    assert [c.code for c in analyze("I see Bishops with their mitres.").characters] == ["2MOA"]
    assert [c.code for c in analyze("The landlady opened the door.").characters] == ["1FOA"]
